import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../rng";
import { sampleSize } from "./dataset";
import type { SampleView } from "./splits";

/** Samples of a view at the given positions as float32 [n, ...shape]; uint8 pixels scaled to [0, 1]. */
export function gatherBatch(view: SampleView, positions: ArrayLike<number>): tf.Tensor {
  const size = sampleSize(view.shape);
  const out = new Float32Array(positions.length * size);
  const src = view.source.x;
  const scale = src instanceof Uint8Array ? 1 / 255 : 1;
  for (let b = 0; b < positions.length; b++) {
    const offset = view.indices[positions[b]] * size;
    for (let j = 0; j < size; j++) out[b * size + j] = src[offset + j] * scale;
  }
  return tf.tensor(out, [positions.length, ...view.shape]);
}

/** The order of a view's positions in one epoch: a permutation seeded by (seed, epoch). */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  return new Rng(seed).fork(`epoch-${epoch}`).permutation(count);
}

/** Shuffled batches of one epoch (the last partial batch dropped); the caller disposes each tensor. */
export function* iterateBatches(view: SampleView, batchSize: number, seed: number, epoch: number): Generator<tf.Tensor> {
  const order = epochOrder(view.indices.length, seed, epoch);
  for (let start = 0; start + batchSize <= order.length; start += batchSize) {
    yield gatherBatch(view, order.subarray(start, start + batchSize));
  }
}
