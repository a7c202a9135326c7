import * as tf from "@tensorflow/tfjs-core";
import type { Optimizer } from "../train/optimizer";

/**
 * One step on several parameter groups, each with its own optimizer and learning rate: the
 * gradients of `loss()` are taken once over all groups' variables.
 */
export function gradientStep(groups: { vars: [string, tf.Variable][]; optimizer: Optimizer; lr: number }[], loss: () => tf.Scalar): void {
  const vars = groups.flatMap((g) => g.vars);
  const nameOf = new Map(vars.map(([name, v]) => [v.name, name])); // tfjs's variable name → ours
  const { value, grads } = tf.variableGrads(loss, vars.map(([, v]) => v));
  const named: Record<string, tf.Tensor> = {};
  for (const [tfName, g] of Object.entries(grads)) named[nameOf.get(tfName)!] = g;
  for (const g of groups) g.optimizer.apply(g.vars, named, g.lr);
  tf.dispose([value, ...Object.values(grads)]);
}

/** Cosine decay from `lr` to 0 over `total` steps (Loshchilov & Hutter 2017, without restarts). */
export function cosineLr(lr: number, step: number, total: number): number {
  return 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, total)) / total));
}

/**
 * Mean softmax cross-entropy of logits [n, c] against integer labels [n]; with `weights` [n], the
 * mean of the weighted terms (a 0/1 mask counts masked rows in the denominator, as FixMatch does).
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]); // [n, c]
    const perRow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
    return tf.mean(weights ? tf.mul(perRow, weights) : perRow) as tf.Scalar;
  });
}

/** Positions of `n` rows in minibatches: seeded epoch permutations, drawn in order (batch = min(b, n)). */
export class BatchSampler {
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  readonly batchSize: number;

  constructor(
    private readonly n: number,
    batchSize: number,
    private readonly shuffle: (p: Int32Array) => Int32Array,
  ) {
    this.batchSize = Math.min(batchSize, n);
  }

  next(): Int32Array {
    if (this.cursor + this.batchSize > this.order.length) {
      this.order = this.shuffle(Int32Array.from({ length: this.n }, (_, i) => i));
      this.cursor = 0;
    }
    const out = this.order.subarray(this.cursor, this.cursor + this.batchSize);
    this.cursor += this.batchSize;
    return out;
  }
}

/** argmax of logits computed batch by batch: predictions for rows 0..n-1. */
export async function predictClasses(n: number, batchSize: number, logitsOf: (positions: Int32Array) => tf.Tensor2D): Promise<Int32Array> {
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const positions = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const predicted = tf.tidy(() => tf.argMax(logitsOf(positions), 1));
    out.set(await predicted.data(), start);
    predicted.dispose();
  }
  return out;
}
