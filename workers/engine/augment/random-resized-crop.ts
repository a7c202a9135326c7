import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * Random resized crop (Szegedy et al. 2015; SimCLR's main augmentation). At strength 1 the crop
 * covers 8-100 % of the area with aspect ratio in [3/4, 4/3]; at strength 0 it is the whole image.
 * x: [n, h, w, c] → [n, h, w, c].
 */
export function randomResizedCrop(x: tf.Tensor4D, strength: number, rng: Rng): tf.Tensor4D {
  const [n, h, w] = x.shape;
  if (strength <= 0) return x.clone();
  const minScale = 1 - 0.92 * strength;
  const logRatio = Math.log(4 / 3) * strength;
  const boxes = new Float32Array(n * 4); // normalised [y1, x1, y2, x2] per sample
  for (let i = 0; i < n; i++) {
    const area = rng.uniform(minScale, 1);
    const ratio = Math.exp(rng.uniform(-logRatio, logRatio));
    const ch = Math.min(1, Math.sqrt(area / ratio));
    const cw = Math.min(1, Math.sqrt(area * ratio));
    const y1 = rng.uniform(0, 1 - ch);
    const x1 = rng.uniform(0, 1 - cw);
    boxes.set([y1, x1, y1 + ch, x1 + cw], i * 4);
  }
  return tf.tidy(() =>
    tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), tf.range(0, n, 1, "int32") as tf.Tensor1D, [h, w]),
  );
}
