import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * SCARF corruption (Bahri et al. 2022, https://arxiv.org/abs/2106.15147): each feature of each row
 * is replaced, with probability `rate`, by the same feature of a random row of the batch — a draw
 * from that feature's empirical marginal. x: [n, f] → [n, f].
 */
export function featureCorruption(x: tf.Tensor2D, rate: number, rng: Rng): tf.Tensor2D {
  const [n, f] = x.shape;
  if (rate <= 0) return x.clone();
  const corrupt = new Float32Array(n * f);
  const source = new Int32Array(n * f); // flat index into x of the replacement value
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      corrupt[i * f + j] = rng.next() < rate ? 1 : 0;
      source[i * f + j] = rng.int(n) * f + j;
    }
  }
  return tf.tidy(() => {
    const replacement = tf.reshape(tf.gather(tf.reshape(x, [n * f]), tf.tensor1d(source, "int32")), [n, f]);
    const m = tf.tensor2d(corrupt, [n, f]);
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(replacement, m));
  });
}
