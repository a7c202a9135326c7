import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../rng";
import { adam } from "../train/adam";
import type { Optimizer } from "../train/optimizer";
import { BatchSampler, cosineLr, crossEntropy, gradientStep, predictClasses } from "./gradient-step";
import { accuracy } from "./stats";

/** Parameters trained at `lr × lrScale` (e.g. a pretrained encoder at 0.1 × the head's rate). */
export interface ParamGroup {
  vars: [string, tf.Variable][];
  lrScale: number;
}

export interface ClassifierTask {
  groups: ParamGroup[];
  numClasses: number;
  /** Logits [b, c] of a batch of inputs. */
  logits(x: tf.Tensor): tf.Tensor2D;
  /** Training inputs at row positions, augmented when the protocol augments: [b, ...]. */
  trainInputs(positions: Int32Array, rng: Rng): tf.Tensor;
  trainLabels: Int32Array;
  /** Validation inputs at row positions (never augmented). */
  valInputs(positions: Int32Array): tf.Tensor;
  valLabels: Int32Array;
  /**
   * A loss on unlabeled data added to each step's labeled cross-entropy (semi-supervised training):
   * prepares its batch (e.g. pseudo-labels, outside the gradient) and returns the loss to differentiate.
   */
  unlabeledLoss?(rng: Rng): UnlabeledTerm;
  /** Aborting it stops training within a step, with the signal's reason thrown. */
  signal?: AbortSignal;
}

export interface UnlabeledTerm {
  loss(): tf.Scalar;
  dispose(): void;
}

export interface TrainedClassifier {
  /** Validation accuracy of the kept weights (NaN without a validation part). */
  validationAccuracy: number;
  /** Optimizer steps of the weights left in the variables: the best check's, or the last step. */
  keptStep: number;
  steps: number;
  /** Validation accuracy every `evalEvery` steps (and at the last), with `curve`. */
  curve: { step: number; accuracy: number }[];
}

/** How one network trains: its optimizer settings and schedule. */
export interface TrainingSchedule {
  lr: number;
  weightDecay: number;
  batchSize: number;
  /** Steps of the cosine schedule. */
  steps: number;
  /** Stop after this many steps of it (default: all): a length chosen on validation. */
  stopAt?: number;
  evalEvery: number;
  /** best: early stopping after `patience` checks without improvement, best weights kept; last: every step, final weights; curve: every step, validation scored at each check. */
  keep: "best" | "last" | "curve";
  patience?: number;
}

/**
 * Trains a classifier with AdamW (Loshchilov & Hutter 2019) and cosine decay. With keep "best",
 * early stopping (Prechelt 1998): validation accuracy at the start and every `evalEvery` steps, stop
 * after `patience` evaluations without improvement, and leave the best weights in the variables.
 * With keep "last", the whole schedule (up to `stopAt`) runs and the final weights stay; "curve"
 * does the same and scores validation at each check, for a length to be chosen from.
 */
export async function trainClassifier(task: ClassifierTask, o: TrainingSchedule, seed: number): Promise<TrainedClassifier> {
  const n = task.trainLabels.length;
  const rng = new Rng(seed).fork("classifier");
  const sampler = new BatchSampler(n, o.batchSize, (p) => rng.shuffle(p));
  const total = Math.max(1, o.steps);
  const last = Math.min(total, o.stopAt ?? total);
  const optimizers: Optimizer[] = task.groups.map(() => adam({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: o.weightDecay, decoupled: true }));
  const allVars = task.groups.flatMap((g) => g.vars);
  const earlyStopping = o.keep === "best";
  const hasValidation = task.valLabels.length > 0;
  const curve: TrainedClassifier["curve"] = [];
  let best: { accuracy: number; step: number; weights: tf.Tensor[] } = { accuracy: -1, step: 0, weights: [] };
  let sinceBest = 0;
  let step = 0;
  try {
    // the starting point is a candidate too: a head initialised from a probe is never made worse
    if (earlyStopping) best = { accuracy: await evaluate(task, 512), step: 0, weights: allVars.map(([, v]) => tf.keep(v.clone())) };
    while (step < last && sinceBest < (o.patience ?? Infinity)) {
      task.signal?.throwIfAborted();
      const positions = sampler.next();
      const x = task.trainInputs(positions, rng);
      const y = tf.tensor1d(Int32Array.from(positions, (p) => task.trainLabels[p]), "int32");
      const stepLr = cosineLr(o.lr, step, total);
      const groups = task.groups.map((g, i) => ({ vars: g.vars, optimizer: optimizers[i], lr: stepLr * g.lrScale }));
      const unlabeled = task.unlabeledLoss?.(rng);
      gradientStep(groups, () => {
        const labeled = crossEntropy(task.logits(x), y);
        return unlabeled ? tf.add(labeled, unlabeled.loss()) : labeled;
      });
      tf.dispose([x, y]);
      unlabeled?.dispose();
      step += 1;
      const check = step % o.evalEvery === 0 || step === last;
      if (earlyStopping && check) {
        const acc = await evaluate(task, 512);
        if (acc > best.accuracy) {
          tf.dispose(best.weights);
          best = { accuracy: acc, step, weights: allVars.map(([, v]) => tf.keep(v.clone())) };
          sinceBest = 0;
        } else sinceBest += 1;
      }
      if (o.keep === "curve" && check) curve.push({ step, accuracy: await evaluate(task, 512) });
      await new Promise((resolve) => setImmediate(resolve)); // let progress bars and signals run
    }
    if (!earlyStopping) return { validationAccuracy: curve.at(-1)?.accuracy ?? (hasValidation ? await evaluate(task, 512) : NaN), keptStep: step, steps: step, curve };
    allVars.forEach(([, v], i) => v.assign(best.weights[i]));
    return { validationAccuracy: best.accuracy, keptStep: best.step, steps: step, curve };
  } finally {
    tf.dispose(best.weights);
    optimizers.forEach((opt) => opt.dispose());
  }
}

async function evaluate(task: ClassifierTask, batchSize: number): Promise<number> {
  const predicted = await predictClasses(task.valLabels.length, batchSize, (p) => task.logits(task.valInputs(p)));
  return accuracy(predicted, task.valLabels);
}
