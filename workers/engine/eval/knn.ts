import * as tf from "@tensorflow/tfjs-core";
import { l2Normalize } from "../models/l2-normalize";
import { toTensor, type Features } from "./features";

export interface KnnOptions {
  k: number;
  /** τ of the vote weight exp(cos / τ). */
  temperature: number;
  numClasses: number;
  /** Test rows per similarity block (memory: chunk × n floats). */
  chunk?: number;
}

/**
 * Weighted k-nearest-neighbour classifier on frozen features (Wu, Xiong, Yu & Lin 2018,
 * "Unsupervised Feature Learning via Non-Parametric Instance Discrimination",
 * https://arxiv.org/abs/1805.01978; the kNN monitor of MoCo/DINO): cosine similarity to every
 * labeled row, the k most similar vote for their class with weight exp(cos/τ), the largest total wins.
 * memory: [n, d] with labels [n]; queries: [m, d] → predicted classes [m].
 */
export async function knnClassify(memory: Features, memoryLabels: Int32Array, queries: Features, o: KnnOptions): Promise<Int32Array> {
  const k = Math.min(o.k, memory.n);
  const chunk = o.chunk ?? 1024;
  const bank = tf.tidy(() => l2Normalize(toTensor(memory))); // [n, d]
  const bankLabels = tf.tensor1d(memoryLabels, "int32");
  const out = new Int32Array(queries.n);
  try {
    for (let start = 0; start < queries.n; start += chunk) {
      const rows = Math.min(chunk, queries.n - start);
      const predicted = tf.tidy(() => {
        const q = l2Normalize(tf.tensor2d(queries.data.subarray(start * queries.d, (start + rows) * queries.d), [rows, queries.d])); // [b, d]
        const sims = tf.matMul(q, bank, false, true); // [b, n]
        const { values, indices } = tf.topk(sims, k); // [b, k] each
        const weights = tf.exp(tf.div(values, o.temperature)); // [b, k]
        const votes = tf.oneHot(tf.gather(bankLabels, indices), o.numClasses); // [b, k, c]
        return tf.argMax(tf.sum(tf.mul(votes, tf.expandDims(weights, 2)), 1), 1); // [b]
      });
      out.set(await predicted.data(), start);
      predicted.dispose();
    }
  } finally {
    tf.dispose([bank, bankLabels]);
  }
  return out;
}
