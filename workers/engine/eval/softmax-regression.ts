import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../rng";
import { adam } from "../train/adam";
import { rowsTensor, toTensor, type Features } from "./features";
import { BatchSampler, cosineLr, crossEntropy, gradientStep } from "./gradient-step";

/**
 * Multinomial logistic regression (softmax regression) with an L2 penalty on the weights, fitted
 * by minibatch Adam with cosine decay on the TensorFlow.js backend:
 *   min_{W,b}  mean_i −log softmax(x_i·W + b)_{y_i}  +  (λ/2)·‖W‖²     (the bias is not penalized).
 * Features should be standardized. x: [n, d], labels: [n] in 0..c−1 → W [d, c], b [c].
 * Full-batch when n ≤ batchSize (the features are uploaded once), else minibatches copied per step.
 */
export interface SoftmaxRegressionOptions {
  numClasses: number;
  /** λ of the L2 penalty. */
  l2: number;
  lr: number;
  batchSize: number;
  steps: number;
  seed: number;
}

export interface SoftmaxModel {
  w: tf.Tensor2D;
  b: tf.Tensor1D;
  dispose(): void;
}

export function trainSoftmaxRegression(x: Features, labels: Int32Array, opts: SoftmaxRegressionOptions): SoftmaxModel {
  const { n, d } = x;
  if (labels.length !== n) throw new Error(`softmax regression: ${n} rows but ${labels.length} labels`);
  const w = tf.variable(tf.zeros([d, opts.numClasses]));
  const b = tf.variable(tf.zeros([opts.numClasses]));
  const vars: [string, tf.Variable][] = [
    ["w", w],
    ["b", b],
  ];
  const y = tf.tensor1d(labels, "int32");
  const optimizer = adam({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false });
  const rng = new Rng(opts.seed).fork("softmax-regression");
  const sampler = new BatchSampler(n, opts.batchSize, (p) => rng.shuffle(p));
  const full = sampler.batchSize === n ? toTensor(x) : null;
  try {
    for (let step = 0; step < opts.steps; step++) {
      const positions = full ? null : sampler.next();
      const xb = positions ? rowsTensor(x, positions) : full!; // [b, d]
      const yb = positions ? tf.tensor1d(Int32Array.from(positions, (p) => labels[p]), "int32") : y; // [b]
      gradientStep([{ vars, optimizer, lr: cosineLr(opts.lr, step, opts.steps) }], () =>
        tf.add(crossEntropy(tf.add(tf.matMul(xb, w), b), yb), tf.mul(opts.l2 / 2, tf.sum(tf.square(w)))),
      );
      if (positions) tf.dispose([xb, yb]);
    }
  } finally {
    optimizer.dispose();
    tf.dispose([y, ...(full ? [full] : [])]);
  }
  return { w: w as tf.Tensor2D, b: b as tf.Tensor1D, dispose: () => tf.dispose([w, b]) };
}

/** Logits x·W + b: [n, d] → [n, c]. */
export function softmaxLogits(model: SoftmaxModel, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, model.w), model.b));
}

/** Optimizer steps for n rows: `epochs` passes, clamped to [minSteps, maxSteps]. */
export function stepsFor(n: number, o: { batchSize: number; epochs: number; minSteps: number; maxSteps: number }): number {
  const perEpoch = Math.ceil(n / Math.min(o.batchSize, n));
  return Math.max(o.minSteps, Math.min(o.maxSteps, Math.ceil(o.epochs * perEpoch)));
}
