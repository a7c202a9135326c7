/**
 * Sweeps: a grid or random search over any fields of a base config. A sweep is a parent run whose
 * trials are child runs, each a "sweep-trial" job that any worker may take; the parent shows the
 * best trial by the chosen metric.
 */
import { and, eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { metrics, runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError } from "@/server/errors";
import { createRun, getRun, setRunStatus, setRunTags, type Run } from "@/server/services/runs";
import { metricKey, name } from "@/server/validation";
import { launchRun } from "./launch";

type Scalar = number | string | boolean;

const fieldPath = z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, "must be a dotted field path such as optimizer.lr");

const parameter = z.union([
  z.object({ values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1, "must list at least one value") }).strict(),
  z
    .object({ min: z.number(), max: z.number(), scale: z.enum(["linear", "log"]).default("linear"), integer: z.boolean().default(false) })
    .strict()
    .refine((r) => r.max > r.min, "max must be greater than min")
    .refine((r) => r.scale === "linear" || r.min > 0, "a log scale needs min > 0"),
]);

export const sweepConfig = z
  .object({
    name: name.default("sweep"),
    experiment: name.default("sweeps"),
    /** the config every trial starts from (for pretraining: a pretraining config) */
    base: z.record(z.string(), z.unknown()),
    method: z.enum(["grid", "random"]).default("grid"),
    parameters: z.record(fieldPath, parameter).refine((p) => Object.keys(p).length > 0, "must name at least one field"),
    /** the most trials to run */
    budget: z.number().int().min(1).max(1000),
    metric: metricKey.default("loss"),
    goal: z.enum(["minimize", "maximize"]).default("minimize"),
    seed: z.number().int().default(0),
  })
  .superRefine((s, ctx) => {
    if (s.method !== "grid") return;
    for (const [path, p] of Object.entries(s.parameters)) {
      if (!("values" in p)) ctx.addIssue({ code: "custom", path: ["parameters", path], message: "grid search needs a list of values" });
    }
  });
export type SweepConfig = z.infer<typeof sweepConfig>;

/** mulberry32: a small seeded generator, so a sweep's random trials can be reproduced. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The assignments of each trial: the grid in order (cut at the budget), or random draws. */
export function sweepTrials(s: SweepConfig): Record<string, Scalar>[] {
  const entries = Object.entries(s.parameters);
  if (s.method === "grid") {
    let grid: Record<string, Scalar>[] = [{}];
    for (const [path, p] of entries) {
      const values = (p as { values: Scalar[] }).values;
      grid = grid.flatMap((g) => values.map((v) => ({ ...g, [path]: v })));
    }
    return grid.slice(0, s.budget);
  }
  const random = seededRandom(s.seed);
  return Array.from({ length: s.budget }, () =>
    Object.fromEntries(
      entries.map(([path, p]) => {
        if ("values" in p) return [path, p.values[Math.floor(random() * p.values.length)]];
        const u = random();
        const v = p.scale === "log" ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min))) : p.min + u * (p.max - p.min);
        return [path, p.integer ? Math.round(v) : v];
      }),
    ),
  );
}

export function withField(config: Record<string, unknown>, path: string, value: Scalar): Record<string, unknown> {
  const out = structuredClone(config);
  const keys = path.split(".");
  let node = out;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return out;
}

function fieldOf(config: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), config);
}

export async function launchSweep(database: Database, queue: PgBoss, input: unknown): Promise<{ parent: Run; trials: Run[] }> {
  const parsed = sweepConfig.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const s = parsed.data;
  const parent = await createRun(database, { experiment: s.experiment, name: s.name, config: s, tags: { sweep: s.method } });
  const trials: Run[] = [];
  for (const [i, assignment] of sweepTrials(s).entries()) {
    const config = Object.entries(assignment).reduce((c, [path, v]) => withField(c, path, v), s.base);
    const { run } = await launchRun(database, queue, { kind: "sweep-trial", experiment: s.experiment, name: `${s.name}-${i + 1}`, parentRunId: parent.id, config });
    trials.push(run);
  }
  return { parent, trials };
}

/** Everything a parallel-coordinates chart of the sweep needs: params -> metric for each trial. */
export async function sweepSummary(database: Database, parentRunId: number) {
  const parent = await getRun(database, parentRunId);
  const parsed = sweepConfig.safeParse(parent.config);
  if (!parsed.success) throw badInput(`run ${parentRunId} is not a sweep`);
  const s = parsed.data;
  const children = await database.db.select().from(runs).where(eq(runs.parentRunId, parentRunId)).orderBy(runs.id);
  const metricRows = await database.db
    .select({ runId: metrics.runId, lastValue: metrics.lastValue })
    .from(metrics)
    .innerJoin(runs, eq(runs.id, metrics.runId))
    .where(and(eq(runs.parentRunId, parentRunId), eq(metrics.key, s.metric)));
  const byRun = new Map(metricRows.map((m) => [m.runId, m.lastValue]));
  const trials = children.map((c) => ({
    runId: c.id,
    name: c.name,
    status: c.status,
    params: Object.fromEntries(Object.keys(s.parameters).map((p) => [p, fieldOf(c.config, p) as Scalar])),
    value: byRun.get(c.id) ?? null,
  }));
  const scored = trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  const best = scored.reduce<(typeof trials)[number] | null>(
    (b, t) => (b === null || (s.goal === "minimize" ? t.value! < b.value! : t.value! > b.value!) ? t : b),
    null,
  );
  return { parentRunId, metric: s.metric, goal: s.goal, parameters: Object.keys(s.parameters), trials, best };
}

/** Called when a trial ends: records the best trial on the parent and finishes it after the last one. */
export async function refreshSweepParent(database: Database, parentRunId: number) {
  const summary = await sweepSummary(database, parentRunId);
  if (summary.best) {
    await setRunTags(database, parentRunId, { best_run: String(summary.best.runId), [`best_${summary.metric}`]: String(summary.best.value) });
  }
  const parent = await getRun(database, parentRunId);
  const done = summary.trials.every((t) => t.status === "finished" || t.status === "failed" || t.status === "cancelled");
  if (!done || (parent.status !== "running" && parent.status !== "queued")) return;
  const unfinished = summary.trials.filter((t) => t.status !== "finished");
  if (unfinished.length === summary.trials.length) {
    // Nothing to compare: the sweep failed, and the first trial's reason is usually every trial's.
    const [first] = await database.db.select({ reason: runs.statusReason }).from(runs).where(eq(runs.id, unfinished[0].runId));
    const reason = `all ${unfinished.length} trials ${unfinished.every((t) => t.status === "cancelled") ? "were cancelled" : "failed"}`;
    await setRunStatus(database, parentRunId, unfinished.every((t) => t.status === "cancelled") ? "cancelled" : "failed", first?.reason ? `${reason}; trial ${unfinished[0].runId}: ${first.reason}` : reason);
    return;
  }
  await setRunStatus(database, parentRunId, "finished", unfinished.length ? `${unfinished.length} of ${summary.trials.length} trials did not finish` : undefined);
}
