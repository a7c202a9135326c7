/**
 * Shadow deployments: a candidate version gets a copy of live requests after the response has been
 * computed, and its answers are compared with production's on the same inputs (cosine agreement,
 * nearest-neighbour overlap, prediction agreement) with its latency. It must never slow or fail the
 * primary: mirroring is a synchronous enqueue that cannot throw, one candidate batch runs at a time
 * and only while no primary request is in flight, within a budget of 1 % of each second (its work
 * competes for the same cores); copies past the budget or beyond `maxPendingSamples` waiting are
 * shed and counted.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import { z } from "zod";
import { encoders, shadowResults, shadows } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { getDeploymentByName, type DeploymentRow } from "@/server/serving/deployments";
import { requireServable } from "./flags";

export type ShadowRow = typeof shadows.$inferSelect;
export type ShadowResultRecord = typeof shadowResults.$inferInsert;

export const shadowInput = z
  .object({
    version: z.number({ error: "must be an encoder version (a positive integer)" }).int("must be an encoder version (a positive integer)").positive("must be an encoder version (a positive integer)"),
    share: z.number({ error: "must be a share of requests from 0 to 1" }).min(0, "must be a share of requests from 0 to 1").max(1, "must be a share of requests from 0 to 1").default(1),
  })
  .strict();

/** Starts (or changes) a deployment's shadow candidate; `null` stops it. */
export async function setShadow(database: Database, deploymentName: string, input: z.output<typeof shadowInput> | null, actor: string): Promise<ShadowRow | null> {
  const deployment = await getDeploymentByName(database, deploymentName);
  if (input) await requireServable(database, deployment.encoderName, [input.version], "version");
  return database.db.transaction(async (db) => {
    const [before] = await db.delete(shadows).where(eq(shadows.deploymentId, deployment.id)).returning();
    const [after] = input ? await db.insert(shadows).values({ deploymentId: deployment.id, ...input, updatedBy: actor }).returning() : [];
    await recordAudit(db, actor, { action: input ? "shadow.set" : "shadow.stop", objectType: "deployment", objectId: deployment.name, before: before ?? null, after: after ?? null });
    return after ?? null;
  });
}

export interface ShadowSummary {
  config: ShadowRow | null;
  hours: number;
  mirrored: number;
  failed: number;
  samples: number;
  cosineMean: number | null;
  cosineMin: number | null;
  neighbourOverlap: number | null;
  predictionAgreement: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  primaryP50Ms: number | null;
  primaryP99Ms: number | null;
  /** per minute, for the charts */
  series: { at: string; mirrored: number; cosineMean: number | null; neighbourOverlap: number | null; p99Ms: number | null }[];
}

export async function shadowSummary(database: Database, deploymentName: string, hours = 24): Promise<ShadowSummary> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const [config] = await database.db.select().from(shadows).where(eq(shadows.deploymentId, deployment.id));
  const since = new Date(Date.now() - hours * 3_600_000);
  const where = and(eq(shadowResults.deploymentId, deployment.id), gte(shadowResults.at, since));
  const ok = sql`${shadowResults.error} is null`;
  const [row] = await database.db
    .select({
      mirrored: sql<number>`count(*)::int`,
      failed: sql<number>`(count(*) filter (where ${shadowResults.error} is not null))::int`,
      samples: sql<number>`coalesce(sum(${shadowResults.samples}), 0)::int`,
      cosineMean: sql<number | null>`sum(${shadowResults.cosineMean} * ${shadowResults.samples}) / nullif(sum(${shadowResults.samples}) filter (where ${ok}), 0)`,
      cosineMin: sql<number | null>`min(${shadowResults.cosineMin})`,
      neighbourOverlap: sql<number | null>`avg(${shadowResults.neighbourOverlap})`,
      predictionAgreement: sql<number | null>`avg(${shadowResults.predictionAgreement})`,
      p50Ms: sql<number | null>`percentile_cont(0.5) within group (order by ${shadowResults.latencyMs})`,
      p99Ms: sql<number | null>`percentile_cont(0.99) within group (order by ${shadowResults.latencyMs})`,
      primaryP50Ms: sql<number | null>`percentile_cont(0.5) within group (order by ${shadowResults.primaryLatencyMs})`,
      primaryP99Ms: sql<number | null>`percentile_cont(0.99) within group (order by ${shadowResults.primaryLatencyMs})`,
    })
    .from(shadowResults)
    .where(where);
  const minute = sql`date_trunc('minute', ${shadowResults.at})`;
  const series = await database.db
    .select({
      at: sql<string>`to_char(${minute} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"')`,
      mirrored: sql<number>`count(*)::int`,
      cosineMean: sql<number | null>`avg(${shadowResults.cosineMean})`,
      neighbourOverlap: sql<number | null>`avg(${shadowResults.neighbourOverlap})`,
      p99Ms: sql<number | null>`percentile_cont(0.99) within group (order by ${shadowResults.latencyMs})`,
    })
    .from(shadowResults)
    .where(where)
    .groupBy(minute)
    .orderBy(minute);
  return { config: config ?? null, hours, ...row, series };
}

/** What the candidate answers for n samples (the serving path's model, batched like any request). */
export type CandidateRun = (encoderId: number, raw: Float32Array, n: number) => Promise<{ embedding: Float32Array; dim: number; probabilities?: Float32Array; classes?: number }>;

interface Mirror {
  deploymentId: number;
  encoderId: number;
  version: number;
  raw: Float32Array;
  n: number;
  primary: { embedding: Float32Array; dim: number; probabilities?: Float32Array; classes?: number };
  primaryLatencyMs: number;
}

const NEIGHBOURS = 10;
const RECENT = 128;
/** Share of each second the candidate may use: its work competes with live requests for the same cores (bench/shadow.ts). */
const DEFAULT_DUTY_CYCLE = 0.01;
const CONFIG_TTL_MS = 1000;

export class ShadowRunner {
  readonly counts = { mirrored: 0, dropped: 0, failed: 0 };
  private queue: Mirror[] = [];
  private pendingSamples = 0;
  private draining = false;
  private configs = new Map<number, { at: number; candidate: { encoderId: number; version: number; share: number } | null }>();
  private refreshing = new Set<number>();
  /** recent (primary, candidate) embedding pairs per deployment, for the neighbour overlap */
  private recent = new Map<number, { primary: Float32Array[]; candidate: Float32Array[] }>();

  constructor(
    private readonly database: Database,
    private readonly run: CandidateRun,
    private readonly record: (row: ShadowResultRecord) => void,
    private readonly maxPendingSamples = 1024,
    /** resolves when no primary request is in flight: the candidate runs only in the gaps between them */
    private readonly primaryIdle: () => Promise<void> = async () => {},
    private readonly dutyCycle = DEFAULT_DUTY_CYCLE,
  ) {}

  /** the candidate's recent busy time, decaying with a 1 s time constant (its share of about the last second) */
  private budget = { at: 0, busyMs: 0 };

  private spent(): number {
    const now = performance.now();
    this.budget = { at: now, busyMs: this.budget.busyMs * Math.exp(-(now - this.budget.at) / 1000) };
    return this.budget.busyMs;
  }

  private overBudget(): boolean {
    return this.spent() >= this.dutyCycle * 1000;
  }

  /** Copies a served request to the deployment's candidate, if it has one; never throws, never waits. */
  mirror(deployment: DeploymentRow, servedEncoderId: number, raw: Float32Array, n: number, primary: Mirror["primary"], primaryLatencyMs: number): void {
    try {
      const candidate = this.candidate(deployment);
      if (!candidate || candidate.encoderId === servedEncoderId || Math.random() >= candidate.share) return;
      if (this.pendingSamples + n > this.maxPendingSamples || this.overBudget()) {
        this.counts.dropped++;
        return;
      }
      this.queue.push({ deploymentId: deployment.id, encoderId: candidate.encoderId, version: candidate.version, raw, n, primary, primaryLatencyMs });
      this.pendingSamples += n;
      if (!this.draining) void this.drain();
    } catch (err) {
      this.counts.failed++;
      console.error("shadow: could not mirror a request:", (err as Error).message);
    }
  }

  invalidate(): void {
    this.configs.clear();
  }

  /** Encoder ids of the candidates in use (kept loaded). */
  candidateEncoderIds(): number[] {
    return [...this.configs.values()].flatMap((c) => (c.candidate ? [c.candidate.encoderId] : []));
  }

  /** The cached candidate; a stale entry is used while it is read again in the background. */
  private candidate(deployment: DeploymentRow) {
    const cached = this.configs.get(deployment.id);
    if ((!cached || performance.now() - cached.at > CONFIG_TTL_MS) && !this.refreshing.has(deployment.id)) {
      this.refreshing.add(deployment.id);
      void this.loadCandidate(deployment)
        .then((candidate) => this.configs.set(deployment.id, { at: performance.now(), candidate }))
        .catch((err) => console.error("shadow: could not read the candidate:", (err as Error).message))
        .finally(() => this.refreshing.delete(deployment.id));
    }
    return cached?.candidate ?? null;
  }

  private async loadCandidate(deployment: DeploymentRow) {
    const [row] = await this.database.db
      .select({ version: shadows.version, share: shadows.share, encoderId: encoders.id })
      .from(shadows)
      .innerJoin(encoders, and(eq(encoders.name, deployment.encoderName), eq(encoders.version, shadows.version)))
      .where(eq(shadows.deploymentId, deployment.id));
    return row ?? null;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let m = this.queue.shift(); m; m = this.queue.shift()) {
        // yield to the primary: a copy waits while live requests run (new copies are shed meanwhile if it overflows)
        await this.primaryIdle();
        const started = performance.now();
        try {
          const out = await this.run(m.encoderId, m.raw, m.n);
          this.record({ deploymentId: m.deploymentId, version: m.version, at: new Date(), samples: m.n, latencyMs: performance.now() - started, primaryLatencyMs: m.primaryLatencyMs, ...this.compare(m, out) });
          this.counts.mirrored++;
        } catch (err) {
          this.counts.failed++;
          this.record({ deploymentId: m.deploymentId, version: m.version, at: new Date(), samples: m.n, latencyMs: performance.now() - started, primaryLatencyMs: m.primaryLatencyMs, error: (err as Error).message.slice(0, 2000) });
        } finally {
          this.pendingSamples -= m.n;
          const spent = this.spent(); // (before the assignment: spent() replaces this.budget)
          this.budget.busyMs = spent + (performance.now() - started);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private compare(m: Mirror, out: Awaited<ReturnType<CandidateRun>>) {
    const { primary, n } = m;
    const row = (e: Float32Array, dim: number, i: number) => e.subarray(i * dim, (i + 1) * dim);
    let sum = 0;
    let min = Infinity;
    let overlap = 0;
    const recent = this.recent.get(m.deploymentId) ?? { primary: [], candidate: [] };
    this.recent.set(m.deploymentId, recent);
    for (let i = 0; i < n; i++) {
      const p = Float32Array.from(row(primary.embedding, primary.dim, i));
      const c = Float32Array.from(row(out.embedding, out.dim, i));
      // cosine only where both spaces have the same width (another architecture: overlap still says something)
      if (out.dim === primary.dim) {
        const cos = cosine(p, c);
        sum += cos;
        min = Math.min(min, cos);
      }
      // one sample per request is enough for the average, and keeps the cost off the event loop small
      if (i === 0 && recent.primary.length >= NEIGHBOURS) overlap = neighbourOverlap(p, c, recent);
      recent.primary.push(p);
      recent.candidate.push(c);
      if (recent.primary.length > RECENT) {
        recent.primary.shift();
        recent.candidate.shift();
      }
    }
    let agreement: number | null = null;
    if (primary.probabilities && primary.classes && out.probabilities && out.classes === primary.classes) {
      let same = 0;
      for (let i = 0; i < n; i++) same += argmax(row(primary.probabilities, primary.classes, i)) === argmax(row(out.probabilities, out.classes, i)) ? 1 : 0;
      agreement = same / n;
    }
    const comparable = out.dim === primary.dim;
    return {
      cosineMean: comparable ? sum / n : null,
      cosineMin: comparable ? min : null,
      neighbourOverlap: recent.primary.length > NEIGHBOURS ? overlap : null,
      predictionAgreement: agreement,
    };
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += a[k] * b[k];
    aa += a[k] * a[k];
    bb += b[k] * b[k];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

const argmax = (v: Float32Array) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

/** Share of the sample's NEIGHBOURS nearest recent samples (by cosine) that both spaces agree on. */
function neighbourOverlap(p: Float32Array, c: Float32Array, recent: { primary: Float32Array[]; candidate: Float32Array[] }): number {
  const nearest = (x: Float32Array, pool: Float32Array[]) =>
    new Set(
      pool
        .map((y, i) => [cosine(x, y), i] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, NEIGHBOURS)
        .map(([, i]) => i),
    );
  const a = nearest(p, recent.primary);
  let shared = 0;
  for (const i of nearest(c, recent.candidate)) if (a.has(i)) shared++;
  return shared / NEIGHBOURS;
}
