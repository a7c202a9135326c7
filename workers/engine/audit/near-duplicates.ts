import * as tf from "@tensorflow/tfjs-core";
import { l2Normalize } from "../models/l2-normalize";
import type { Features } from "../eval/features";

export interface NearPair {
  /** Row in the query set. */
  a: number;
  /** Row in the reference set. */
  b: number;
  cosine: number;
}

/**
 * Pairs (a, b) with cosine similarity ≥ threshold between rows of `queries` [m, d] and `reference`
 * [n, d], by blocked similarity matrices on the backend (each query row keeps its `maxPerRow` most
 * similar). With `sameSet` the query set is the reference set: self-pairs are skipped and each
 * unordered pair is reported once (a < b). Cost: m·n·d multiply-adds.
 */
export async function nearDuplicatePairs(queries: Features, reference: Features, threshold: number, o: { sameSet: boolean; maxPerRow?: number; chunk?: number }): Promise<NearPair[]> {
  const k = Math.min((o.maxPerRow ?? 10) + (o.sameSet ? 1 : 0), reference.n); // +1: a row finds itself
  const chunk = o.chunk ?? 512;
  const ref = tf.tidy(() => l2Normalize(tf.tensor2d(reference.data, [reference.n, reference.d]))); // [n, d]
  const pairs: NearPair[] = [];
  const seen = new Set<string>();
  try {
    for (let start = 0; start < queries.n; start += chunk) {
      const rows = Math.min(chunk, queries.n - start);
      const { values, indices } = tf.tidy(() => {
        const q = l2Normalize(tf.tensor2d(queries.data.subarray(start * queries.d, (start + rows) * queries.d), [rows, queries.d])); // [b, d]
        return tf.topk(tf.matMul(q, ref, false, true), k); // of sims [b, n]
      });
      const [v, idx] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < k; j++) {
          const cosine = v[r * k + j];
          if (cosine < threshold) break;
          const a = start + r;
          const b = idx[r * k + j];
          if (!o.sameSet) pairs.push({ a, b, cosine });
          else if (a !== b && !seen.has(`${Math.min(a, b)},${Math.max(a, b)}`)) {
            seen.add(`${Math.min(a, b)},${Math.max(a, b)}`);
            pairs.push({ a: Math.min(a, b), b: Math.max(a, b), cosine });
          }
        }
      }
    }
  } finally {
    ref.dispose();
  }
  return pairs;
}
