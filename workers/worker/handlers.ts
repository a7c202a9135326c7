/** What each kind of job does. A handler gets its run, a tracker and signals; the worker does the rest. */
import type { Run } from "@/server/services/runs";
import type { RunTracker } from "@/server/tracking/tracker";
import type { PretrainConfigInput } from "@/workers/engine/config";
import { CHECKPOINT_ARTIFACT, pretrain } from "@/workers/engine/train/pretrain";

export interface JobContext {
  run: Run;
  tracker: RunTracker;
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

export async function pretrainJob({ run, tracker, cancel, stop }: JobContext): Promise<JobOutcome> {
  const resume = await latestCheckpoint(tracker);
  const result = await pretrain(run.config as PretrainConfigInput, { tracker, resume, signal: cancel, stopSignal: stop });
  return { status: result.status, resumedFromStep: resume ? result.history.steps[0]?.step : undefined };
}

export const runJobHandlers = {
  pretrain: pretrainJob,
  "sweep-trial": pretrainJob,
  evaluate: async (): Promise<JobOutcome> => {
    throw new Error("evaluation jobs are not available yet");
  },
} as const;

/** Scheduled tasks by name; drift checks and reports register here. */
export const scheduledTasks: Record<string, (args: Record<string, unknown>) => Promise<void>> = {
  noop: async () => {},
};
