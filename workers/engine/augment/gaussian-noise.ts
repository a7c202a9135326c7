import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/** Adds N(0, (maxStd·strength)²) noise per pixel, clipped back to [0, 1]. x: [n, h, w, c]. */
export function gaussianNoise(x: tf.Tensor4D, strength: number, rng: Rng, maxStd = 0.2): tf.Tensor4D {
  if (strength <= 0) return x.clone();
  const noise = rng.normals(x.size, maxStd * strength);
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.tensor4d(noise, x.shape)), 0, 1) as tf.Tensor4D);
}
