/**
 * Domain-classifier drift: can a classifier tell current samples from reference ones? A logistic
 * regression (standardized features, L2, Newton steps) is trained on k − 1 folds and scores the
 * held-out fold, so every sample gets an out-of-fold probability of being "current"; the ROC AUC of
 * those probabilities is the figure. 0.5: indistinguishable; Evidently flags drift above 0.55.
 */
import { permutation, seededRandom } from "@/server/random";
import type { Samples } from "./mmd";

/** ROC AUC = P(score of a positive > score of a negative) + ½ P(equal) (Mann–Whitney U / (n₊n₋)). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const midRank = (start + end) / 2 + 1; // ties share their average rank
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] !== 1) continue;
      positives++;
      rankSum += midRank;
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new Error("ROC AUC needs both classes");
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Solves A x = b (A symmetric positive definite, row-major) by Cholesky. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Logistic regression weights (last = bias) on rows `train` of x (already standardized). */
function fitLogistic(x: Float64Array, dim: number, labels: Uint8Array, train: number[], l2: number, iterations = 8): Float64Array {
  const p = dim + 1;
  const w = new Float64Array(p);
  const row = new Float64Array(p);
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (const i of train) {
      for (let k = 0; k < dim; k++) row[k] = x[i * dim + k];
      row[dim] = 1;
      let z = 0;
      for (let k = 0; k < p; k++) z += w[k] * row[k];
      const q = sigmoid(z);
      const r = q - labels[i];
      const s = q * (1 - q);
      for (let a = 0; a < p; a++) {
        grad[a] += r * row[a];
        const sa = s * row[a];
        for (let b = 0; b <= a; b++) hess[a * p + b] += sa * row[b];
      }
    }
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < a; b++) hess[b * p + a] = hess[a * p + b];
      if (a < dim) {
        grad[a] += l2 * w[a];
        hess[a * p + a] += l2;
      } else hess[a * p + a] += 1e-9;
    }
    const step = solve(hess, grad, p);
    for (let k = 0; k < p; k++) w[k] -= step[k];
  }
  return w;
}

export interface ClassifierDriftResult {
  auc: number;
  folds: number;
}

/** Out-of-fold ROC AUC of a logistic regression telling `current` from `reference`. */
export function classifierDrift(reference: Samples, current: Samples, opts: { folds?: number; l2?: number; seed?: number } = {}): ClassifierDriftResult {
  const folds = opts.folds ?? 5;
  const dim = reference.dim;
  const total = reference.rows + current.rows;
  if (reference.rows < folds || current.rows < folds) throw new Error(`the classifier test needs at least ${folds} samples on each side`);
  // standardize on the pooled data (the classifier sees no scale differences it could not learn anyway)
  const x = new Float64Array(total * dim);
  x.set(reference.data.subarray(0, reference.rows * dim));
  x.set(current.data.subarray(0, current.rows * dim), reference.rows * dim);
  for (let k = 0; k < dim; k++) {
    let mean = 0;
    for (let i = 0; i < total; i++) mean += x[i * dim + k];
    mean /= total;
    let sd = 0;
    for (let i = 0; i < total; i++) sd += (x[i * dim + k] - mean) ** 2;
    sd = Math.sqrt(sd / total) || 1;
    for (let i = 0; i < total; i++) x[i * dim + k] = (x[i * dim + k] - mean) / sd;
  }
  const labels = new Uint8Array(total);
  labels.fill(1, reference.rows);
  // stratified folds: each side dealt out in a seeded random order
  const random = seededRandom(opts.seed ?? 0);
  const fold = new Int32Array(total);
  for (const [from, to] of [[0, reference.rows], [reference.rows, total]]) {
    permutation(to - from, random).forEach((i, r) => (fold[from + i] = r % folds));
  }
  const scores = new Float64Array(total);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    for (let i = 0; i < total; i++) if (fold[i] !== f) train.push(i);
    const w = fitLogistic(x, dim, labels, train, opts.l2 ?? 1);
    for (let i = 0; i < total; i++) {
      if (fold[i] !== f) continue;
      let z = w[dim];
      for (let k = 0; k < dim; k++) z += w[k] * x[i * dim + k];
      scores[i] = sigmoid(z);
    }
  }
  return { auc: rocAuc(scores, labels), folds };
}
