/**
 * Maximum mean discrepancy with a Gaussian RBF kernel, as Alibi Detect's MMDDrift computes it
 * (alibi_detect/cd/pytorch/mmd.py, utils/pytorch/kernels.py):
 *   k(x, y) = exp(−‖x − y‖² / (2σ²)), σ by the median heuristic on the reference:
 *   σ = sqrt(0.5 · median of the squared distances between distinct reference points);
 *   MMD² = Σk_xx / (n(n−1)) + Σk_yy / (m(m−1)) − 2·mean(k_xy)   (diagonals left out);
 *   p = share of permutations of the pooled samples whose MMD² ≥ the observed one (no +1, as Alibi).
 * Samples are rows of a row-major Float32Array with `dim` columns.
 */
import { permutation, seededRandom } from "@/server/random";

export interface Samples {
  data: Float32Array;
  rows: number;
  dim: number;
}

export interface MmdResult {
  mmd2: number;
  pValue: number;
  /** the MMD² a drift must exceed at level `pValueThreshold` (Alibi: permuted values sorted descending, at int(p·n)) */
  threshold: number;
  sigma: number;
  permutations: number;
}

function squaredNorms({ data, rows, dim }: Samples): Float64Array {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = i * dim, end = k + dim; k < end; k++) s += data[k] * data[k];
    norms[i] = s;
  }
  return norms;
}

/**
 * Squared distances between all pairs of rows, upper triangle (i < j) of a full rows × rows matrix.
 * Dot products are computed in 4 × 4 tiles: each loaded value serves four products, which is what
 * makes this loop (a billion multiply-adds at 4,000 × 128) fast in JavaScript.
 */
function pairwiseSquaredDistances(samples: Samples): Float32Array {
  const { data, rows, dim } = samples;
  const norms = squaredNorms(samples);
  const d2 = new Float32Array(rows * rows);
  const put = (i: number, j: number, dot: number) => {
    if (i < j && j < rows) d2[i * rows + j] = Math.max(0, norms[i] + norms[j] - 2 * dot); // rounding can go below 0
  };
  const row = (i: number) => Math.min(i, rows - 1) * dim; // a tile past the last row reads it again, unused
  for (let i0 = 0; i0 < rows; i0 += 4) {
    const [a0, a1, a2, a3] = [row(i0), row(i0 + 1), row(i0 + 2), row(i0 + 3)];
    for (let j0 = i0; j0 < rows; j0 += 4) {
      const [b0, b1, b2, b3] = [row(j0), row(j0 + 1), row(j0 + 2), row(j0 + 3)];
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < dim; k++) {
        const x0 = data[a0 + k], x1 = data[a1 + k], x2 = data[a2 + k], x3 = data[a3 + k];
        const y0 = data[b0 + k], y1 = data[b1 + k], y2 = data[b2 + k], y3 = data[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      put(i0, j0, s00); put(i0, j0 + 1, s01); put(i0, j0 + 2, s02); put(i0, j0 + 3, s03);
      put(i0 + 1, j0, s10); put(i0 + 1, j0 + 1, s11); put(i0 + 1, j0 + 2, s12); put(i0 + 1, j0 + 3, s13);
      put(i0 + 2, j0, s20); put(i0 + 2, j0 + 1, s21); put(i0 + 2, j0 + 2, s22); put(i0 + 2, j0 + 3, s23);
      put(i0 + 3, j0, s30); put(i0 + 3, j0 + 1, s31); put(i0 + 3, j0 + 2, s32); put(i0 + 3, j0 + 3, s33);
    }
  }
  return d2;
}

function median(values: Float64Array | Float32Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** σ from the upper triangle of the first n rows' squared distances (stride `stride`). */
function sigmaOf(d2: Float32Array, n: number, stride: number): number {
  const pairs = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs[p++] = d2[i * stride + j];
  // each distinct pair appears twice in Alibi's full matrix: the median is the same
  return Math.sqrt(0.5 * median(pairs));
}

/** The median heuristic's σ on the reference (distinct pairs only; Alibi's sigma_median). */
export function medianHeuristicSigma(reference: Samples): number {
  return sigmaOf(pairwiseSquaredDistances(reference), reference.rows, reference.rows);
}

function pool(x: Samples, y: Samples): Samples {
  if (x.dim !== y.dim) throw new Error(`samples of ${x.dim} and ${y.dim} dimensions cannot be compared`);
  const data = new Float32Array((x.rows + y.rows) * x.dim);
  data.set(x.data.subarray(0, x.rows * x.dim));
  data.set(y.data.subarray(0, y.rows * y.dim), x.rows * x.dim);
  return { data, rows: x.rows + y.rows, dim: x.dim };
}

/**
 * MMD² of `reference` against `current` and its permutation p-value. The kernel matrix is computed
 * once; each permutation needs only the kernel sum within the permuted reference group (a row-sum
 * identity gives the rest), read from the upper triangle: n²/2 reads per permutation.
 */
export function mmdTest(reference: Samples, current: Samples, opts: { permutations?: number; sigma?: number; seed?: number; pValueThreshold?: number } = {}): MmdResult {
  const n = reference.rows;
  const m = current.rows;
  if (n < 2 || m < 2) throw new Error(`MMD needs at least 2 samples on each side, got ${n} and ${m}`);
  const permutations = opts.permutations ?? 100;
  const pooled = pool(reference, current);
  const total = n + m;
  const k = pairwiseSquaredDistances(pooled);
  const sigma = opts.sigma ?? sigmaOf(k, n, total);
  const gamma = sigma > 0 ? -1 / (2 * sigma * sigma) : -Infinity;
  // the kernel in the upper triangle (it is symmetric, its diagonal left out), and row sums for the identity below
  const rowSums = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    for (let j = i + 1; j < total; j++) {
      const v = Math.exp(gamma * k[i * total + j]);
      k[i * total + j] = v;
      rowSums[i] += v;
      rowSums[j] += v;
    }
  }
  let all = 0;
  for (let i = 0; i < total; i++) all += rowSums[i];

  /** MMD² when `group` (n indices) is the reference and the rest the current sample. */
  const statistic = (group: Int32Array): number => {
    const sorted = Int32Array.from(group).sort();
    let xx = 0;
    let rows = 0;
    for (let a = 0; a < n; a++) {
      const i = sorted[a];
      const base = i * total;
      rows += rowSums[i];
      // the upper triangle (sorted: every later index is larger), counted twice for the symmetric sum
      let half = 0;
      for (let b = a + 1; b < n; b++) half += k[base + sorted[b]];
      xx += 2 * half;
    }
    const yy = all - 2 * rows + xx;
    const xy = (all - xx - yy) / 2;
    return xx / (n * (n - 1)) + yy / (m * (m - 1)) - (2 * xy) / (n * m);
  };

  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const mmd2 = statistic(identity);
  const random = seededRandom(opts.seed ?? 0);
  const permuted = new Float64Array(permutations);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    permuted[p] = statistic(permutation(total, random).subarray(0, n));
    if (mmd2 <= permuted[p]) atLeast++;
  }
  const descending = Array.from(permuted).sort((a, b) => b - a);
  const level = opts.pValueThreshold ?? 0.05;
  return { mmd2, pValue: permutations ? atLeast / permutations : NaN, threshold: descending[Math.floor(level * permutations)] ?? NaN, sigma, permutations };
}
