/**
 * The log of served requests and sampled (input, embedding) pairs that drift monitoring reads.
 * Recording never waits on the database: rows are buffered and written in bulk every `flushMs`;
 * when the buffer is full they are dropped and counted instead.
 */
import { exposures, inferenceRequests, inferenceSamples, shadowResults } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";

export interface RequestRecord {
  deploymentId: number;
  encoderId: number | null;
  at: Date;
  latencyMs: number;
  samples: number;
  status: number;
  error?: string;
}

export interface ServedBatch {
  /** raw inputs, n × inputSize */
  input: Float32Array;
  embedding: Float32Array;
  n: number;
  dim: number;
  /** fraction of samples kept */
  rate: number;
}

export interface RequestLogOptions {
  flushMs?: number;
  maxRequests?: number;
  maxSamples?: number;
  /** how often rows past their deployment's retention are deleted */
  pruneEveryMs?: number;
}

type SampleRow = typeof inferenceSamples.$inferInsert;
type ExposureRow = typeof exposures.$inferInsert;
type ShadowRow = typeof shadowResults.$inferInsert;

export class RequestLog {
  private requests: RequestRecord[] = [];
  private samples: SampleRow[] = [];
  private exposures: ExposureRow[] = [];
  private shadowRows: ShadowRow[] = [];
  private timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  readonly dropped = { requests: 0, samples: 0, exposures: 0, shadowResults: 0 };
  private readonly o: Required<RequestLogOptions>;

  constructor(
    private readonly database: Database,
    options: RequestLogOptions = {},
  ) {
    this.o = { flushMs: 1000, maxRequests: 20_000, maxSamples: 5_000, pruneEveryMs: 3_600_000, ...options };
    this.timer = setInterval(() => void this.flush(), this.o.flushMs);
    this.timer.unref();
  }

  record(request: RequestRecord, served?: ServedBatch): void {
    if (this.requests.length >= this.o.maxRequests) this.dropped.requests++;
    else this.requests.push({ ...request, error: request.error?.slice(0, 2000) });
    if (!served || served.rate <= 0) return;
    const size = served.input.length / served.n;
    for (let i = 0; i < served.n; i++) {
      if (Math.random() >= served.rate) continue;
      if (this.samples.length >= this.o.maxSamples) {
        this.dropped.samples++;
        continue;
      }
      this.samples.push({
        deploymentId: request.deploymentId,
        encoderId: request.encoderId,
        at: request.at,
        input: Array.from(served.input.subarray(i * size, (i + 1) * size)),
        embedding: Array.from(served.embedding.subarray(i * served.dim, (i + 1) * served.dim)),
      });
    }
  }

  /** An experiment exposure (from the flag's tracking callback). */
  recordExposure(exposure: ExposureRow): void {
    if (this.exposures.length >= this.o.maxRequests) this.dropped.exposures++;
    else this.exposures.push(exposure);
  }

  /** A mirrored request's comparison (shadow deployments). */
  recordShadow(row: ShadowRow): void {
    if (this.shadowRows.length >= this.o.maxRequests) this.dropped.shadowResults++;
    else this.shadowRows.push(row);
  }

  /** Writes what is buffered; flushes never overlap. A failed write is dropped and counted, never retried forever. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const requests = this.requests.splice(0);
      const samples = this.samples.splice(0);
      const exposed = this.exposures.splice(0);
      const shadowed = this.shadowRows.splice(0);
      const { db } = this.database;
      try {
        if (requests.length) await db.insert(inferenceRequests).values(requests);
      } catch (err) {
        this.dropped.requests += requests.length;
        console.error("request log: could not write", requests.length, "requests:", (err as Error).message);
      }
      try {
        for (let i = 0; i < samples.length; i += 500) await db.insert(inferenceSamples).values(samples.slice(i, i + 500));
      } catch (err) {
        this.dropped.samples += samples.length;
        console.error("request log: could not write", samples.length, "samples:", (err as Error).message);
      }
      try {
        for (let i = 0; i < exposed.length; i += 5000) await db.insert(exposures).values(exposed.slice(i, i + 5000));
      } catch (err) {
        this.dropped.exposures += exposed.length;
        console.error("request log: could not write", exposed.length, "exposures:", (err as Error).message);
      }
      try {
        for (let i = 0; i < shadowed.length; i += 2000) await db.insert(shadowResults).values(shadowed.slice(i, i + 2000));
      } catch (err) {
        this.dropped.shadowResults += shadowed.length;
        console.error("request log: could not write", shadowed.length, "shadow results:", (err as Error).message);
      }
      if (Date.now() - this.lastPrune >= this.o.pruneEveryMs) {
        this.lastPrune = Date.now();
        await this.prune().catch((err) => console.error("request log: pruning failed:", (err as Error).message));
      }
    });
    return this.flushing;
  }

  /** Deletes requests and samples older than their deployment's retention. */
  private async prune(): Promise<void> {
    for (const table of ["inference_requests", "inference_samples", "shadow_results"]) {
      await query(this.database, `delete from ${table} t using deployments d where t.deployment_id = d.id and t.at < now() - d.retention_days * interval '1 day'`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
