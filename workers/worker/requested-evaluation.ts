/**
 * The evaluation a pretraining config requests (`evaluation`), as evaluate jobs: one per encoder
 * snapshot (`atEpochs`) and one for the final encoder, each a child run of the pretraining run
 * tagged with the epoch and step, so quality can be plotted against pretraining epochs.
 */
import type { LaunchInput } from "@/server/jobs/launch";
import type { PretrainConfig } from "@/workers/engine/config";
import { ENCODER_ARTIFACT, type EncoderSnapshot, type PretrainResult } from "@/workers/engine/train/pretrain";
import type { EvaluateJobConfig } from "./job-configs";

/** Queues a job: launchRun on a database, or the app's POST /api/v1/jobs. */
export type Launch = (input: LaunchInput) => Promise<{ run: { id: number } }>;

/** The evaluate job of one encoder of pretraining run `run`, or null when the config requests none. */
export function evaluationJob(run: { id: number; name: string }, cfg: PretrainConfig, at: EncoderSnapshot): LaunchInput | null {
  if (!cfg.evaluation) return null;
  const { atEpochs: _atEpochs, dataset, ...suite } = cfg.evaluation;
  const config: EvaluateJobConfig = {
    name: `${run.name}-eval-epoch-${at.epoch}`,
    encoder: { runId: run.id, artifact: at.artifact },
    suite: { ...suite, dataset: dataset ?? cfg.dataset, encoderName: suite.encoderName ?? run.name },
  };
  const tags = { pretrain_run: String(run.id), pretrain_epoch: String(at.epoch), pretrain_step: String(at.step) };
  return { kind: "evaluate", experiment: "evaluation", parentRunId: run.id, config, tags };
}

/** The final encoder of a finished run, as a snapshot at its last epoch. */
export function finalEncoder(cfg: PretrainConfig, result: PretrainResult): EncoderSnapshot {
  const epoch = (result.history.steps.at(-1)?.epoch ?? cfg.epochs - 1) + 1;
  return { epoch, step: result.stepsDone, artifact: ENCODER_ARTIFACT };
}

/** Hooks for pretrain(): queue the evaluation of each snapshot, then (call `finished`) of the final encoder. Returns the queued run ids. */
export function requestedEvaluations(run: { id: number; name: string }, cfg: PretrainConfig, launch: Launch) {
  const queued: number[] = [];
  const queue = async (at: EncoderSnapshot) => {
    const input = evaluationJob(run, cfg, at);
    if (input) queued.push((await launch(input)).run.id);
  };
  return {
    queued,
    onEncoderSnapshot: queue,
    finished: (result: PretrainResult) => (result.status === "finished" ? queue(finalEncoder(cfg, result)) : Promise.resolve()),
  };
}
