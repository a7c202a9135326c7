import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * MAE-style random patch mask (He et al. 2022, https://arxiv.org/abs/2111.06377): for each sample
 * exactly round(ratio · patches) patches are masked. Images [h, w, c] use p×p patches; tabular rows
 * [f] use single features. Returns 1 = masked, shape [n, ...sampleShape].
 */
export function patchMask(n: number, sampleShape: number[], patchSize: number, ratio: number, rng: Rng): tf.Tensor {
  const isImage = sampleShape.length === 3;
  const [h, w, c] = isImage ? sampleShape : [1, sampleShape[0], 1];
  const p = isImage ? patchSize : 1;
  const rows = Math.ceil(h / p);
  const cols = Math.ceil(w / p);
  const patches = rows * cols;
  const masked = Math.round(ratio * patches);
  const mask = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    const chosen = rng.permutation(patches).subarray(0, masked);
    for (const patch of chosen) {
      const py = Math.floor(patch / cols) * p;
      const px = (patch % cols) * p;
      for (let y = py; y < Math.min(h, py + p); y++) {
        for (let x = px; x < Math.min(w, px + p); x++) {
          for (let ch = 0; ch < c; ch++) mask[((i * h + y) * w + x) * c + ch] = 1;
        }
      }
    }
  }
  return tf.tensor(mask, [n, ...sampleShape]);
}
