/** What each kind of job does. A handler gets its run, a tracker and signals; the worker does the rest. */
import type PgBoss from "pg-boss";
import type { Database } from "@/server/db";
import { eq } from "drizzle-orm";
import { encoders } from "@/drizzle/schema";
import { query } from "@/server/db/sql";
import { listAttempts } from "@/server/services/attempts";
import { clearRunBenchmarkResults } from "@/server/services/benchmarks";
import type { Run } from "@/server/services/runs";
import type { RunTracker } from "@/server/tracking/tracker";
import { runAudit } from "@/workers/engine/audit/run-audit";
import { launchRun } from "@/server/jobs/launch";
import { parsePretrainConfig } from "@/workers/engine/config";
import { pretextEncoderBytes } from "@/workers/engine/eval/onnx-encoder";
import { runEvaluationSuite } from "@/workers/engine/eval/run-suite";
import { CHECKPOINT_ARTIFACT, pretrain } from "@/workers/engine/train/pretrain";
import { auditJobSchema, evaluateJobSchema, loadEncoderSource, parseJobConfig, type EvaluateJobConfig } from "./job-configs";
import { requestedEvaluations } from "./requested-evaluation";

export interface JobContext {
  run: Run;
  tracker: RunTracker;
  database: Database;
  /** the queue the job came from: a job may launch further jobs */
  queue: PgBoss;
  /** the run was cancelled: stop now, never to be resumed */
  cancel: AbortSignal;
  /** the worker is shutting down: checkpoint and stop, to be resumed by another worker */
  stop: AbortSignal;
}

export interface JobOutcome {
  status: "finished" | "cancelled" | "stopped";
  /** the step a resumed attempt started from */
  resumedFromStep?: number;
}

/** The latest checkpoint of the run, when an earlier attempt left one. */
async function latestCheckpoint(tracker: RunTracker): Promise<Uint8Array | undefined> {
  try {
    return await tracker.downloadArtifact(CHECKPOINT_ARTIFACT);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/** Pretrains; a requested evaluation is queued for each encoder snapshot and for the final encoder. */
export async function pretrainJob({ run, tracker, database, queue, cancel, stop }: JobContext): Promise<JobOutcome> {
  const cfg = parsePretrainConfig(run.config);
  const resume = await latestCheckpoint(tracker);
  const evaluations = requestedEvaluations(run, cfg, (input) => launchRun(database, queue, input));
  const result = await pretrain(cfg, { tracker, resume, signal: cancel, stopSignal: stop, onEncoderSnapshot: evaluations.onEncoderSnapshot });
  await evaluations.finished(result);
  return { status: result.status, resumedFromStep: resume ? result.history.steps[0]?.step : undefined };
}

/**
 * Evaluates an encoder with a suite (config: workers/worker/job-configs.ts evaluateJobSchema). An
 * evaluation has no checkpoints: a worker shutting down stops it and another starts it over.
 */
export async function evaluateJob({ run, tracker, database, cancel, stop }: JobContext): Promise<JobOutcome> {
  const cfg = parseJobConfig(evaluateJobSchema, run.config, "evaluate job");
  const { encoder, ref } = await loadEncoderSource(database, cfg.encoder);
  await clearRunBenchmarkResults(database, run.id);
  if ((await listAttempts(database, run.id)).length > 1) registerOnceForRun(database, run, tracker);
  // the suite as written: which protocols a left-out field means depends on the encoder (fewer for ONNX)
  const suite = (run.config as EvaluateJobConfig).suite;
  const result = await runEvaluationSuite(suite, encoder, tracker, { encoder: ref, signal: AbortSignal.any([cancel, stop]) });
  return { status: result.status === "cancelled" && stop.aborted && !cancel.aborted ? "stopped" : result.status };
}

/** Audits a dataset; the report is the run's artifact "audit.json" (config: auditJobSchema). */
export async function auditJob({ run, tracker, database }: JobContext): Promise<JobOutcome> {
  const { encoder, name: _name, ...options } = parseJobConfig(auditJobSchema, run.config, "audit job");
  const encoderBytes = encoder ? pretextEncoderBytes((await loadEncoderSource(database, encoder)).encoder, "an audit") : undefined;
  await runAudit(options, tracker, { encoderBytes });
  return { status: "finished" };
}

/**
 * An evaluation started over (its worker died or was stopped) must not register the same weights as
 * one more version: it reuses the version an earlier attempt registered (same name, run and artifact,
 * since this run was created), and removes one that a killed attempt left half-registered (its ONNX
 * export not stored yet; no result points to it, they were cleared).
 */
function registerOnceForRun(database: Database, run: Run, tracker: RunTracker) {
  const register = tracker.registerEncoder.bind(tracker);
  tracker.registerEncoder = async (info) => {
    const earlier = await query<{ id: number; name: string; version: number; complete: boolean }>(
      database,
      `select e.id, e.name, e.version, e.onnx_artifact_id is not null or e.format <> 'pretext' as complete
       from encoders e join artifacts a on a.id = e.artifact_id
       where e.name = $1 and e.run_id = $2 and a.name = $3 and e.created_at >= $4 order by e.version`,
      [info.name, info.runId ?? run.id, info.artifactName, run.createdAt],
    );
    const done = earlier.find((e) => e.complete);
    if (done) return { id: done.id, name: done.name, version: done.version };
    for (const e of earlier) await database.db.delete(encoders).where(eq(encoders.id, e.id));
    return register(info);
  };
}

export const runJobHandlers = {
  pretrain: pretrainJob,
  "sweep-trial": pretrainJob,
  evaluate: evaluateJob,
  audit: auditJob,
} as const;

export { scheduledTasks } from "./scheduled-tasks";
