/**
 * Sweeps: a grid or random search over any fields of a base config. A sweep is a parent run whose
 * trials are child runs, each a "sweep-trial" job that any worker may take; the parent shows the
 * best trial by the chosen metric.
 */
import { and, eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { metrics, runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError } from "@/server/errors";
import { createRun, getRun, setRunStatus, setRunTags, type Run } from "@/server/services/runs";
import { fieldOf, sweepConfig, sweepSpec, sweepTrialConfigs } from "./configs/sweep";
import { launchRun } from "./launch";

export { fieldOf, sweepConfig, sweepSpec, sweepTrials, withField, type SweepConfig } from "./configs/sweep";

type Scalar = number | string | boolean;

/** Launches a sweep: refused as a whole (400, nothing stored) when the spec or any trial's config is bad. */
export async function launchSweep(database: Database, queue: PgBoss, input: unknown): Promise<{ parent: Run; trials: Run[] }> {
  const parsed = sweepConfig.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const s = parsed.data;
  const parent = await createRun(database, { experiment: s.experiment, name: s.name, config: s, tags: { sweep: s.method } });
  const trials: Run[] = [];
  for (const [i, { config }] of sweepTrialConfigs(s).entries()) {
    const { run } = await launchRun(database, queue, { kind: "sweep-trial", experiment: s.experiment, name: `${s.name}-${i + 1}`, parentRunId: parent.id, config });
    trials.push(run);
  }
  return { parent, trials };
}

/** Everything a parallel-coordinates chart of the sweep needs: params -> metric for each trial. */
export async function sweepSummary(database: Database, parentRunId: number) {
  const parent = await getRun(database, parentRunId);
  const parsed = sweepSpec.safeParse(parent.config);
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
