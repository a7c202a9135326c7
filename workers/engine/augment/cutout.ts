import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * Cutout (DeVries & Taylor 2017, https://arxiv.org/abs/1708.04552): zeroes one square per image of
 * side strength·min(h, w)/2 at a random centre (clipped at the border). x: [n, h, w, c].
 */
export function cutout(x: tf.Tensor4D, strength: number, rng: Rng): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const side = Math.round((strength * Math.min(h, w)) / 2);
  if (side <= 0) return x.clone();
  const keep = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++) {
    const cy = rng.int(h);
    const cx = rng.int(w);
    const y0 = Math.max(0, cy - Math.floor(side / 2));
    const x0 = Math.max(0, cx - Math.floor(side / 2));
    for (let y = y0; y < Math.min(h, y0 + side); y++) {
      for (let xx = x0; xx < Math.min(w, x0 + side); xx++) keep[(i * h + y) * w + xx] = 0;
    }
  }
  return tf.tidy(() => tf.mul(x, tf.tensor4d(keep, [n, h, w, 1])));
}
