import * as tf from "@tensorflow/tfjs-core";
import type { Features } from "../eval/features";

export interface MmdResult {
  /** Unbiased estimate of MMD² (can be slightly negative when the distributions match). */
  mmd2: number;
  /** The RBF bandwidth σ (median heuristic). */
  bandwidth: number;
}

/**
 * Maximum mean discrepancy with an RBF kernel k(x, y) = exp(−‖x − y‖² / (2σ²)) (Gretton, Borgwardt,
 * Rasch, Schölkopf & Smola 2012, "A Kernel Two-Sample Test", JMLR 13, eq. 3 — the unbiased MMD²_u):
 *   MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j).
 * σ is the median heuristic: the median of the pairwise distances over the pooled sample.
 * x: [m, d], y: [n, d] (subsample large sets first: the cost is (m + n)²·d).
 */
export function mmdRbf(x: Features, y: Features): MmdResult {
  const { m, n } = { m: x.n, n: y.n };
  if (m < 2 || n < 2) throw new Error(`MMD needs at least 2 samples on each side, got ${m} and ${n}`);
  const sq = tf.tidy(() => {
    const z = tf.concat([tf.tensor2d(x.data, [m, x.d]), tf.tensor2d(y.data, [n, y.d])], 0); // [m + n, d]
    const norms = tf.sum(tf.square(z), 1, true); // [m + n, 1]
    return tf.maximum(tf.sub(tf.add(norms, tf.transpose(norms)), tf.mul(tf.matMul(z, z, false, true), 2)), 0); // ‖z_i − z_j‖², [m + n, m + n]
  });
  const d2 = sq.dataSync();
  sq.dispose();
  const total = m + n;
  const offDiagonal: number[] = [];
  for (let i = 0; i < total; i++) for (let j = i + 1; j < total; j++) offDiagonal.push(d2[i * total + j]);
  offDiagonal.sort((a, b) => a - b);
  const medianSq = offDiagonal[Math.floor(offDiagonal.length / 2)];
  const bandwidth = Math.sqrt(medianSq > 0 ? medianSq : 1);
  const k = (i: number, j: number) => Math.exp(-d2[i * total + j] / (2 * bandwidth * bandwidth));
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) xx += k(i, j);
  for (let i = m; i < total; i++) for (let j = m; j < total; j++) if (i !== j) yy += k(i, j);
  for (let i = 0; i < m; i++) for (let j = m; j < total; j++) xy += k(i, j);
  return { mmd2: xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * xy) / (m * n), bandwidth };
}
