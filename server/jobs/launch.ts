/** Launching runs as jobs and cancelling them: the run is created first, so the UI shows it queued. */
import { and, eq, inArray } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError, PretextError } from "@/server/errors";
import { createRun, getRun, setRunStatus, type Run } from "@/server/services/runs";
import { config as configSchema, idOf, name, tags } from "@/server/validation";
import { jobConfigSchemas, RUN_JOB_KINDS } from "./configs/jobs";
import { queueOf, RETRY_LIMIT, type JobKind, type RunJobData } from "./queue";
import { refreshSweepParent } from "./sweeps";

/**
 * A job to launch. The config must pass its kind's schema (server/jobs/configs/jobs.ts; a run named
 * after its config gets a name the runs table accepts): a bad field is refused here, named under
 * `config.` (`config.optimizer.lr: Too small: expected number to be >0`), instead of being queued
 * and failing later on a worker.
 */
export const launchInput = z
  .object({
    kind: z.enum(RUN_JOB_KINDS).default("pretrain"),
    project: name.default("default"),
    experiment: name.default("pretrain"),
    name: name.optional(),
    parentRunId: idOf("a run").optional(),
    /** the job's configuration: a pretraining config (pretrain, sweep-trial), or an evaluate or audit job's config */
    config: configSchema,
    tags: tags.default({}),
  })
  .superRefine((launch, ctx) => {
    for (const issue of jobConfigSchemas[launch.kind].safeParse(launch.config).error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: ["config", ...issue.path], message: issue.message });
    }
  });
export type LaunchInput = z.input<typeof launchInput>;

/** Creates the run (queued) and enqueues its job; a bad input or config is refused (400) before anything is stored. */
export async function launchRun(database: Database, queue: PgBoss, input: LaunchInput): Promise<{ run: Run; jobId: string }> {
  const parsed = launchInput.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const { kind, config, ...rest } = parsed.data;
  const runName = rest.name ?? (typeof config.name === "string" ? config.name : undefined);
  const run = await createRun(database, { ...rest, name: runName, config, status: "queued" });
  let jobId: string | null;
  try {
    jobId = await queue.send(queueOf(kind), { kind, runId: run.id } satisfies RunJobData, { retryLimit: RETRY_LIMIT });
  } catch (err) {
    jobId = null;
    console.error(`queue: sending the ${kind} job of run ${run.id} failed`, err);
  }
  if (!jobId) {
    // a queued run no job will ever take would wait forever: it goes, and the caller may try again
    await database.db.delete(runs).where(eq(runs.id, run.id));
    throw new PretextError(500, `the queue refused the ${kind} job; nothing was stored, try again`);
  }
  const [updated] = await database.db.update(runs).set({ jobKind: kind, jobId }).where(eq(runs.id, run.id)).returning();
  return { run: updated, jobId };
}

/** Cancels a queued or running run: its worker stops within seconds, and the job is never retried. */
export async function cancelRun(database: Database, queue: PgBoss, runId: number, reason = "cancelled by user"): Promise<Run> {
  const run = await getRun(database, runId);
  if (run.status === "cancelled") return run;
  if (run.status === "finished" || run.status === "failed") throw new PretextError(409, `run ${runId} is already ${run.status}`);
  const updated = await setRunStatus(database, runId, "cancelled", reason);
  if (run.jobKind && run.jobId) await queue.cancel(queueOf(run.jobKind as JobKind), run.jobId);
  // A sweep's trials go with it; a trial that never ran must still settle its sweep.
  const open = await database.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.parentRunId, runId), inArray(runs.status, ["queued", "running"])));
  for (const child of open) await cancelRun(database, queue, child.id, `${reason} (with run ${runId})`);
  if (run.parentRunId !== null && run.jobKind === "sweep-trial") await refreshSweepParent(database, run.parentRunId);
  return updated;
}
