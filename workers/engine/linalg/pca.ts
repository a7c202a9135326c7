import { symmetricEigen } from "./symmetric-eigenvalues";

export interface Pca {
  /** Unit principal axes, by decreasing variance: components[k] has length d. */
  components: Float64Array[];
  /** Share of the total variance along each axis (fractions; they sum to ≤ 1). */
  explainedVarianceRatio: number[];
  /** The centred rows projected on the axes: row i, axis k at [i * k_total + k]. */
  projected: Float64Array;
}

/**
 * Principal component analysis of rows x [n, d] (row-major) onto the top `k` axes: the eigenvectors
 * of the sample covariance (Jacobi). Each axis's sign is fixed so that its largest-magnitude
 * entry is positive, making the result deterministic.
 */
export function pca(x: ArrayLike<number>, n: number, d: number, k: number): Pca {
  if (n < 2) throw new Error(`PCA needs at least 2 rows, got ${n}`);
  if (k < 1 || k > d) throw new Error(`PCA: k must be in 1..${d}, got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const centred = Float64Array.from({ length: n * d }, (_, idx) => x[idx] - mean[idx % d]);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const xa = centred[row + a];
      if (xa === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += xa * centred[row + b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n - 1;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const components = vectors.slice(0, k).map((v) => {
    let largest = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[largest])) largest = j;
    return v[largest] < 0 ? v.map((e) => -e) : v;
  });
  const projected = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += centred[i * d + j] * components[c][j];
      projected[i * k + c] = dot;
    }
  }
  return { components, explainedVarianceRatio: Array.from(values.slice(0, k), (v) => (total > 0 ? Math.max(v, 0) / total : 0)), projected };
}
