/**
 * Eigen-decomposition of a symmetric d×d matrix by the cyclic Jacobi method (Golub & Van Loan,
 * "Matrix Computations", §8.5): plane rotations zero each off-diagonal entry in turn until the
 * off-diagonal mass is negligible; the product of the rotations holds the eigenvectors. O(d³) per
 * sweep; fine for d ≤ a few hundred. tfjs has no SVD/eigen op, so this runs in JS on a matrix read
 * back from the backend.
 */

/** Eigenvalues of a (row-major, unmodified) symmetric d×d matrix, sorted descending. */
export function symmetricEigenvalues(a: ArrayLike<number>, d: number, maxSweeps = 50): Float64Array {
  return symmetricEigen(a, d, maxSweeps).values;
}

export interface Eigen {
  /** Sorted descending. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: Float64Array[];
}

/** Eigenvalues and unit eigenvectors of a (row-major, unmodified) symmetric d×d matrix. */
export function symmetricEigen(a: ArrayLike<number>, d: number, maxSweeps = 50): Eigen {
  const m = Float64Array.from(a);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      if (Math.abs(m[i * d + j] - m[j * d + i]) > 1e-6 * (1 + Math.abs(m[i * d + j]))) {
        throw new Error(`symmetricEigen: matrix is not symmetric at (${i}, ${j})`);
      }
    }
  }
  const v = new Float64Array(d * d); // accumulated rotations: column k → eigenvector k
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (const x of m) total += x * x;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += m[i * d + j] ** 2;
    if (off <= 1e-22 * total || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        // rotation angle θ with tan(2θ) = 2·a_pq / (a_qq − a_pp); t = tan θ (the smaller root)
        const tau = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          // columns p and q: A ← A·J
          const akp = m[k * d + p];
          const akq = m[k * d + q];
          m[k * d + p] = c * akp - s * akq;
          m[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          // rows p and q: A ← Jᵀ·A
          const apk = m[p * d + k];
          const aqk = m[q * d + k];
          m[p * d + k] = c * apk - s * aqk;
          m[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          // V ← V·J
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => m[y * d + y] - m[x * d + x]);
  return {
    values: Float64Array.from(order, (i) => m[i * d + i]),
    vectors: order.map((col) => Float64Array.from({ length: d }, (_, k) => v[k * d + col])),
  };
}
