/**
 * The inference path: deployment name → the version in production → its loaded ONNX model (cached
 * per version, unloaded when no deployment serves it) → dynamic batching → embeddings and, where
 * the model has a head, class probabilities. Every request is logged without waiting on the database.
 */
import { eq } from "drizzle-orm";
import { artifacts, encoders, type ModelSpec } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { PretextError } from "@/server/errors";
import { sampleSize } from "@/server/registry/model-spec";
import { readArtifactBytes } from "@/server/services/artifacts";
import { DynamicBatcher } from "./batcher";
import { getDeploymentByName, productionVersion, type DeploymentRow, type EncoderRow } from "./deployments";
import { decodeInputs } from "./inputs";
import { preprocess } from "./preprocess";
import { RequestLog } from "./request-log";
import { FlagEvaluator, requestAttributes } from "@/server/rollout/assign";
import { ShadowRunner } from "@/server/rollout/shadow";
import { loadModel, type LoadedModel } from "./runtime";

export interface EmbedResponse {
  deployment: string;
  encoder: { id: number; name: string; version: number };
  runtime: LoadedModel["runtime"];
  dim: number;
  embeddings: number[][];
  /** where the model has a classification head: the most probable class and every class's probability */
  predictions?: { label: number; probabilities: number[] }[];
  /** the experiment of the deployment's flag that chose the version, and the caller's variation */
  experiment?: { key: string; variationId: number };
}

interface LoadedVersion {
  encoder: EncoderRow;
  spec: ModelSpec;
  model: LoadedModel;
  batcher: DynamicBatcher;
}

/** How long a deployment's resolved version is reused before the database is asked again. */
const ROUTE_TTL_MS = 1000;

export class Serving {
  private versions = new Map<number, Promise<LoadedVersion>>();
  private candidates = new Map<number, Promise<{ spec: ModelSpec; model: LoadedModel }>>();
  private readonly batchStats = { calls: 0, samples: 0 };
  private routes = new Map<string, { deployment: DeploymentRow; encoderId: number | null; at: number }>();
  readonly log: RequestLog;
  readonly flags: FlagEvaluator;
  readonly shadows: ShadowRunner;
  /** primary requests between their arrival and their answer, and who waits for there to be none */
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly database: Database,
    // batches past ~128 samples run no faster per sample on CPU; waiting longer than the arrivals of one
    // event-loop turn only adds latency, as requests queued while the model runs form the next batch
    private readonly batching = { maxBatch: 128, maxWaitMs: 0 },
    /** a shadow candidate's share of each second, and the samples that may wait for it */
    shadowLimits = { dutyCycle: 0.01, maxPendingSamples: 1024 },
  ) {
    this.log = new RequestLog(database);
    this.flags = new FlagEvaluator(database, (exposure) => this.log.recordExposure(exposure));
    this.shadows = new ShadowRunner(
      database,
      async (encoderId, raw, n) => {
        const candidate = await this.candidateModel(encoderId);
        return candidate.model.run(preprocess(raw, n, candidate.spec), n);
      },
      (row) => this.log.recordShadow(row),
      shadowLimits.maxPendingSamples,
      () => (this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve))),
      shadowLimits.dutyCycle,
    );
  }

  /** Embeds the body's inputs with the version the deployment's flag gives this caller (`user`: the x-pretext-user header). */
  async embed(deploymentName: string, body: unknown, user: string | null = null): Promise<EmbedResponse> {
    const started = performance.now();
    this.inFlight++;
    try {
      return await this.embedCounted(deploymentName, body, user, started);
    } finally {
      // once the answer has gone out, the shadow may use the gap
      if (--this.inFlight === 0 && this.idleWaiters.length) setImmediate(() => this.wakeIdle());
    }
  }

  private wakeIdle(): void {
    if (this.inFlight > 0) return; // a request arrived meanwhile: they wait for the next gap
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async embedCounted(deploymentName: string, body: unknown, user: string | null, started: number): Promise<EmbedResponse> {
    const deployment = await this.deployment(deploymentName);
    let version: LoadedVersion | null = null;
    try {
      const assigned = await this.flags.assign(deployment, requestAttributes(user, body));
      version = await this.servingVersion(deployment, assigned?.encoderId);
      const { raw, n } = decodeInputs((body as { inputs?: unknown } | null)?.inputs, version.spec);
      const out = await version.batcher.submit(preprocess(raw, n, version.spec), n);
      this.shadows.mirror(deployment, version.encoder.id, raw, n, out, performance.now() - started);
      this.log.record(
        { deploymentId: deployment.id, encoderId: version.encoder.id, at: new Date(), latencyMs: performance.now() - started, samples: n, status: 200 },
        { input: raw, embedding: out.embedding, n, dim: out.dim, rate: deployment.sampleRate },
      );
      const rows = <T>(values: Float32Array, width: number, f: (row: number[]) => T) =>
        Array.from({ length: n }, (_, i) => f(Array.from(values.subarray(i * width, (i + 1) * width))));
      const { id, name, version: v } = version.encoder;
      return {
        deployment: deployment.name,
        encoder: { id, name, version: v },
        runtime: version.model.runtime,
        ...(assigned?.experiment ? { experiment: assigned.experiment } : {}),
        dim: out.dim,
        embeddings: rows(out.embedding, out.dim, (r) => r),
        ...(out.probabilities && out.classes
          ? { predictions: rows(out.probabilities, out.classes, (p) => ({ label: p.indexOf(Math.max(...p)), probabilities: p })) }
          : {}),
      };
    } catch (err) {
      const status = err instanceof PretextError ? err.status : 500;
      this.log.record({ deploymentId: deployment.id, encoderId: version?.encoder.id ?? null, at: new Date(), latencyMs: performance.now() - started, samples: 0, status, error: (err as Error).message });
      throw err;
    }
  }

  /** This process's serving figures: per loaded version, inference calls and their mean batch; log rows dropped. */
  processStats() {
    const { calls, samples } = this.batchStats;
    return { loadedVersions: [...this.versions.keys()], inferenceCalls: calls, samples, meanBatch: calls ? samples / calls : null, droppedLogRows: { ...this.log.dropped }, shadow: { ...this.shadows.counts } };
  }

  /** After a stage change: every deployment resolves its version again on its next request (unloading what it no longer serves). */
  invalidate(): void {
    for (const route of this.routes.values()) route.at = -Infinity;
    this.flags.invalidate();
    this.shadows.invalidate();
  }

  async close(): Promise<void> {
    await this.log.close();
    const loaded = [...this.versions.values(), ...this.candidates.values()];
    this.versions.clear();
    this.candidates.clear();
    for (const v of await Promise.allSettled(loaded)) if (v.status === "fulfilled") await v.value.model.dispose();
  }

  private async deployment(deploymentName: string): Promise<DeploymentRow> {
    const cached = this.routes.get(deploymentName);
    if (cached && performance.now() - cached.at < ROUTE_TTL_MS) return cached.deployment;
    const deployment = await getDeploymentByName(this.database, deploymentName);
    const encoder = await productionVersion(this.database, deployment.encoderName);
    this.routes.set(deploymentName, { deployment, encoderId: encoder?.id ?? null, at: performance.now() });
    if (cached && cached.encoderId !== (encoder?.id ?? null)) void this.unloadUnused();
    return deployment;
  }

  /** The loaded model of `encoderId` (a version the flag chose), or of the deployment's production version. */
  private async servingVersion(deployment: DeploymentRow, assigned?: number): Promise<LoadedVersion> {
    const encoderId = assigned ?? this.routes.get(deployment.name)?.encoderId;
    if (!encoderId) throw new PretextError(409, `deployment ${deployment.name}: encoder ${deployment.encoderName} has no version in production`);
    return this.loadedVersion(encoderId);
  }

  private loadedVersion(encoderId: number): Promise<LoadedVersion> {
    let loading = this.versions.get(encoderId);
    if (!loading) {
      loading = this.load(encoderId);
      this.versions.set(encoderId, loading);
      loading.catch(() => this.versions.delete(encoderId));
    }
    return loading;
  }

  /** A shadow candidate's own session, on one thread: its work must leave the other cores to live requests. */
  private candidateModel(encoderId: number): Promise<{ spec: ModelSpec; model: LoadedModel }> {
    let loading = this.candidates.get(encoderId);
    if (!loading) {
      loading = loadEncoderModel(this.database, encoderId, { threads: 1 });
      this.candidates.set(encoderId, loading);
      loading.catch(() => this.candidates.delete(encoderId));
    }
    return loading;
  }

  private async load(encoderId: number): Promise<LoadedVersion> {
    const { encoder, spec, model } = await loadEncoderModel(this.database, encoderId);
    return { encoder, spec, model, batcher: new DynamicBatcher((x, n) => model.run(x, n), { sampleSize: sampleSize(spec), ...this.batching }, this.batchStats) };
  }

  private async unloadUnused(): Promise<void> {
    const used = new Set<number | null>([...this.routes.values()].map((r) => r.encoderId));
    for (const id of await this.flags.referencedEncoderIds()) used.add(id);
    const candidates = new Set(this.shadows.candidateEncoderIds());
    for (const [id, loading] of this.candidates) {
      if (candidates.has(id)) continue;
      this.candidates.delete(id);
      await (await loading.catch(() => null))?.model.dispose();
    }
    for (const [id, loading] of this.versions) {
      if (used.has(id)) continue;
      this.versions.delete(id);
      const v = await loading.catch(() => null);
      await v?.model.dispose();
    }
  }
}

/** An encoder version's ONNX model, loaded (the caller disposes it). */
export async function loadEncoderModel(database: Database, encoderId: number, options: { threads?: number } = {}): Promise<{ encoder: EncoderRow; spec: ModelSpec; model: LoadedModel }> {
  const [row] = await database.db
    .select()
    .from(artifacts)
    .innerJoin(encoders, eq(artifacts.id, encoders.onnxArtifactId))
    .where(eq(encoders.id, encoderId));
  if (!row?.encoders.modelSpec) throw new PretextError(409, `encoder ${encoderId} has no ONNX model to serve; export it first`);
  const spec = row.encoders.modelSpec;
  const model = await loadModel(await readArtifactBytes(database, row.artifacts.runId, row.artifacts.name), spec, options);
  return { encoder: row.encoders, spec, model };
}

// One per process, kept on globalThis so Next.js dev reloads reuse loaded models.
const g = globalThis as unknown as { __pretextServing?: Serving };

export function serving(database: Database): Serving {
  g.__pretextServing ??= new Serving(database);
  return g.__pretextServing;
}
