import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/** Mirrors each image left-right with probability 0.5·strength. x: [n, h, w, c] → same shape. */
export function horizontalFlip(x: tf.Tensor4D, strength: number, rng: Rng): tf.Tensor4D {
  if (strength <= 0) return x.clone();
  const n = x.shape[0];
  const flip = Float32Array.from({ length: n }, () => (rng.next() < 0.5 * strength ? 1 : 0));
  return tf.tidy(() => {
    const m = tf.tensor4d(flip, [n, 1, 1, 1]); // 1 = flip this sample
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(tf.reverse(x, 2), m));
  });
}
