import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * Brightness and contrast jitter: per image, x' = (x − μ)·c + μ + b with μ the image mean,
 * c ∈ [1 − 0.4s, 1 + 0.4s], b ∈ [−0.4s, 0.4s] (s = strength), clipped to [0, 1]. x: [n, h, w, c].
 */
export function colorJitter(x: tf.Tensor4D, strength: number, rng: Rng): tf.Tensor4D {
  if (strength <= 0) return x.clone();
  const n = x.shape[0];
  const a = 0.4 * strength;
  const contrast = Float32Array.from({ length: n }, () => rng.uniform(1 - a, 1 + a));
  const brightness = Float32Array.from({ length: n }, () => rng.uniform(-a, a));
  return tf.tidy(() => {
    const mean = tf.mean(x, [1, 2, 3], true); // [n, 1, 1, 1]
    const c = tf.tensor4d(contrast, [n, 1, 1, 1]);
    const b = tf.tensor4d(brightness, [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(tf.add(tf.mul(tf.sub(x, mean), c), mean), b), 0, 1) as tf.Tensor4D;
  });
}
