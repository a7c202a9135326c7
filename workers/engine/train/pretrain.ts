import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { ENCODER_ARTIFACT } from "../../../server/jobs/configs/jobs";
import type { RunTracker } from "../../../server/tracking/tracker";
import { initBackend } from "../backend";
import { parsePretrainConfig, type PretrainConfig, type PretrainConfigInput } from "../config";
import { epochOrder, gatherBatch } from "../data/batches";
import type { DatasetDescriptor } from "../data/dataset";
import { collapseWarnings, embeddingHealth, type HealthReport } from "../health";
import type { StepContext } from "../methods/method";
import { encodeTensorFile } from "../models/tensor-file";
import { Rng } from "../rng";
import { decodeTrainingState, encodeTrainingState } from "./checkpoint";
import { difficultyAt, entropyOrder, inRamp, sampleEntropies } from "./curriculum";
import { learningRateAt } from "./lr-schedule";
import { flattenParams, healthMetrics, stepMetrics, type StepRecord } from "./run-logging";
import { trainStep, type StepResult } from "./train-step";
import { buildTrainingSetup, configFingerprint, type TrainingSetup } from "./training-setup";

export interface HealthRecord extends HealthReport {
  step: number;
  epoch: number;
  warnings: string[];
}

export interface TrainingHistory {
  steps: StepRecord[];
  health: HealthRecord[];
}

export interface PretrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number;
  imagesPerSec: number;
}

export interface PretrainOptions {
  /** Where params, metrics, tags, status and artifacts go; without one the run only returns them. */
  tracker?: RunTracker;
  /** A checkpoint (from a previous run's `checkpoint` or artifact) to continue from. */
  resume?: Uint8Array;
  /** Cancels the run at the next step boundary (a checkpoint is written first). */
  signal?: AbortSignal;
  /** Stop (with a checkpoint) once this many steps are done, e.g. to simulate an interruption. */
  stopAfterStep?: number;
  /** Stop (with a checkpoint) at the next step boundary, to be resumed elsewhere: a worker shutting down. */
  stopSignal?: AbortSignal;
  onStep?(progress: PretrainProgress): void;
  /** An encoder snapshot was uploaded (artifact `artifact`) at the end of an epoch in `evaluation.atEpochs`. */
  onEncoderSnapshot?(snapshot: EncoderSnapshot): Promise<void>;
}

export interface EncoderSnapshot {
  /** Epochs completed (1-based). */
  epoch: number;
  step: number;
  artifact: string;
}

export interface PretrainResult {
  history: TrainingHistory;
  backend: string;
  dataset: DatasetDescriptor;
  totalSteps: number;
  /** Optimizer steps completed. */
  stepsDone: number;
  status: "finished" | "stopped" | "cancelled";
  /** Training state at the end (resumable). */
  checkpoint: Uint8Array;
  /** Encoder weights + metadata, as uploaded under the artifact name "encoder.ptx". */
  encoder: Uint8Array;
}

export const CHECKPOINT_ARTIFACT = "checkpoint-latest.ckpt";
export { ENCODER_ARTIFACT };
export const encoderSnapshotArtifact = (epoch: number) => `encoder-epoch-${epoch}.ptx`;

/** Runs (or resumes) SSL pretraining as configured; returns the history of losses and health. */
export async function pretrain(input: PretrainConfigInput, opts: PretrainOptions = {}): Promise<PretrainResult> {
  const tracker = opts.tracker;
  try {
    const cfg = parsePretrainConfig(input);
    const { name: backend, device } = await initBackend(cfg.backend === "auto" ? undefined : cfg.backend);
    await tracker?.setStatus("running");
    await tracker?.setExecution({ backend, device });
    await tracker?.setTags({ method: cfg.method.name });
    const setup = await buildTrainingSetup(cfg);
    try {
      const d = setup.descriptor;
      await tracker?.registerDataset({
        name: d.name,
        source: JSON.stringify(cfg.dataset),
        format: cfg.dataset.kind,
        checksum: d.checksum,
        shape: d.shape,
        count: d.count,
        hasLabels: d.hasLabels,
        numClasses: d.classNames?.length ?? null,
        splits: { unlabeled_pool: { count: setup.pool.indices.length, labeled: false } },
      });
      await tracker?.logParams({
        ...flattenParams(cfg),
        backend,
        "dataset.checksum": setup.descriptor.checksum,
        "dataset.count": setup.descriptor.count,
        totalSteps: setup.totalSteps,
      });
      const result = await trainLoop(cfg, setup, backend, opts);
      if (result.status === "finished") await tracker?.uploadArtifact(ENCODER_ARTIFACT, "encoder", result.encoder, { overwrite: true });
      await tracker?.flush();
      if (result.status !== "stopped") await tracker?.setStatus(result.status);
      return result;
    } finally {
      await setup.dispose();
    }
  } catch (err) {
    await tracker?.flush().catch(() => undefined);
    await tracker?.setStatus("failed", err instanceof Error ? err.message : String(err));
    throw err;
  }
}

async function trainLoop(cfg: PretrainConfig, s: TrainingSetup, backend: string, opts: PretrainOptions): Promise<PretrainResult> {
  const tracker = opts.tracker;
  const history: TrainingHistory = { steps: [], health: [] };
  const stepRng = new Rng(cfg.seed).fork("steps");
  const fingerprint = configFingerprint(cfg);
  let step = 0;
  if (opts.resume) step = restore(opts.resume, s, stepRng, fingerprint);

  const saveState = () =>
    encodeTrainingState({ step, rng: stepRng.getState(), fingerprint }, s.params.entries(), s.optimizer.state());
  let savedStep = -1;
  const saveCheckpoint = async () => {
    if (savedStep === step) return;
    savedStep = step;
    const bytes = await saveState();
    if (cfg.checkpoint.dir) {
      await mkdir(cfg.checkpoint.dir, { recursive: true });
      await writeFile(path.join(cfg.checkpoint.dir, `step-${step}.ckpt`), bytes);
      await writeFile(path.join(cfg.checkpoint.dir, "latest.ckpt"), bytes);
    }
    // Metrics up to the checkpoint must be stored before it: a resumed run re-logs only later steps.
    await tracker?.flush();
    // the same name every N steps (and again after a retry): each replaces the last
    await tracker?.uploadArtifact(CHECKPOINT_ARTIFACT, "checkpoint", bytes, { overwrite: true });
  };

  const B = cfg.batchSize;
  const k = cfg.accumulationSteps;
  const entropies = cfg.curriculum.orderByEntropy ? entropyOrder(sampleEntropies(s.pool)) : null;
  let order: Int32Array | null = null;
  let orderEpoch = -1;
  let status: PretrainResult["status"] = "finished";

  while (step < s.totalSteps) {
    if (opts.signal?.aborted || opts.stopSignal?.aborted || (opts.stopAfterStep !== undefined && step >= opts.stopAfterStep)) {
      status = opts.signal?.aborted ? "cancelled" : "stopped";
      break;
    }
    const started = performance.now();
    const epoch = Math.floor(step / s.stepsPerEpoch);
    if (epoch !== orderEpoch) {
      const epochStart = epoch * s.stepsPerEpoch;
      order = entropies && inRamp(epochStart, s.totalSteps, cfg.curriculum) ? entropies : epochOrder(s.pool.indices.length, cfg.seed, epoch);
      orderEpoch = epoch;
    }
    const ctx: StepContext = {
      step,
      totalSteps: s.totalSteps,
      difficulty: difficultyAt(step, s.totalSteps, cfg.curriculum),
      rng: stepRng,
      augment: s.augment,
    };
    const offset = (step % s.stepsPerEpoch) * B * k;
    const microBatches = Array.from({ length: k }, (_, j) => gatherBatch(s.pool, order!.subarray(offset + j * B, offset + (j + 1) * B)));
    const lr = learningRateAt(step, s.totalSteps, cfg.optimizer.lr, cfg.schedule);
    let result: StepResult;
    try {
      result = await trainStep(s.method, s.trainable, s.optimizer, microBatches, ctx, {
        lr,
        gradClipNorm: cfg.gradClipNorm,
        onNonFinite: (loss) =>
          new Error(`loss is ${loss} at step ${step} (epoch ${epoch}): training diverged; lower optimizer.lr or set gradClipNorm`),
      });
    } finally {
      tf.dispose(microBatches);
    }
    const { terms, gradNorm } = result;

    const seconds = (performance.now() - started) / 1000;
    const record: StepRecord = {
      step,
      epoch,
      loss: terms.total,
      terms,
      lr,
      gradNorm,
      difficulty: ctx.difficulty,
      imagesPerSec: (B * k) / Math.max(seconds, 1e-9),
    };
    history.steps.push(record);
    if (step % cfg.logEverySteps === 0) tracker?.logMetrics(stepMetrics(record));
    step += 1;
    opts.onStep?.({ step, totalSteps: s.totalSteps, epoch, epochs: Math.ceil(s.totalSteps / s.stepsPerEpoch), loss: terms.total, imagesPerSec: record.imagesPerSec });

    if (step % s.stepsPerEpoch === 0 || step === s.totalSteps) await checkHealth(cfg, s, history, step, epoch, tracker);
    if (step % s.stepsPerEpoch === 0 && step < s.totalSteps && cfg.evaluation?.atEpochs.includes(step / s.stepsPerEpoch)) {
      const snapshot = { epoch: step / s.stepsPerEpoch, step, artifact: encoderSnapshotArtifact(step / s.stepsPerEpoch) };
      await tracker?.uploadArtifact(snapshot.artifact, "encoder", await exportEncoder(cfg, s, step), { overwrite: true });
      await opts.onEncoderSnapshot?.(snapshot);
    }
    if (step % cfg.checkpoint.everySteps === 0) await saveCheckpoint();
    await new Promise((resolve) => setImmediate(resolve)); // let progress bars, heartbeats and cancel signals run
  }
  if (status !== "cancelled") await saveCheckpoint(); // a cancelled run is never resumed
  return {
    history,
    backend,
    dataset: s.descriptor,
    totalSteps: s.totalSteps,
    stepsDone: step,
    status,
    checkpoint: await saveState(),
    encoder: await exportEncoder(cfg, s, step),
  };
}

function restore(bytes: Uint8Array, s: TrainingSetup, stepRng: Rng, fingerprint: string): number {
  const state = decodeTrainingState(bytes);
  try {
    if (state.meta.fingerprint !== fingerprint) {
      throw new Error(
        "checkpoint belongs to a different configuration (dataset, data, encoder, method, optimizer, batch size, accumulation or seed differ); cannot resume",
      );
    }
    s.params.load(state.params);
    s.optimizer.loadState(state.optimizer);
    stepRng.setState(state.meta.rng);
    return state.meta.step;
  } finally {
    state.dispose();
  }
}

async function checkHealth(cfg: PretrainConfig, s: TrainingSetup, history: TrainingHistory, step: number, epoch: number, tracker?: RunTracker) {
  const z = tf.tidy(() => s.encoder.apply(s.probe.x)); // [p, d]
  const zPositive = tf.tidy(() => s.encoder.apply(s.probe.view)); // [p, d]
  const report = await embeddingHealth(z, zPositive);
  tf.dispose([z, zPositive]);
  const warnings = collapseWarnings(report, cfg.health);
  history.health.push({ ...report, step, epoch, warnings });
  tracker?.logMetrics(healthMetrics(report, step));
  if (warnings.length > 0) await tracker?.setTags({ warning: `collapse: ${warnings.join("; ")} (epoch ${epoch}, step ${step})` });
}

/** Encoder weights with what is needed to rebuild and trust it (config, input shape, dataset). */
function exportEncoder(cfg: PretrainConfig, s: TrainingSetup, steps: number): Promise<Uint8Array> {
  const meta = {
    kind: "pretext-encoder",
    encoder: cfg.encoder,
    inputShape: s.descriptor.shape,
    outDim: s.encoder.outDim,
    method: cfg.method.name,
    dataset: { name: s.descriptor.name, checksum: s.descriptor.checksum },
    steps,
  };
  return encodeTensorFile(meta, Object.fromEntries(s.params.withPrefix("encoder/")));
}
