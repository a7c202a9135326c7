/**
 * Two-sample Kolmogorov–Smirnov test (two-sided), with p-values as scipy's `ks_2samp(mode="auto")`
 * gives them: exact for samples of at most 10,000, asymptotic beyond.
 *   D = sup |F_ref(t) − F_cur(t)| over the pooled values.
 *   exact: P(D ≥ d) = 1 − (share of monotone lattice paths from (0,0) to (n,m) that stay strictly
 *   inside |i/n − j/m| < d), by dynamic programming over the grid with each cell holding the share of
 *   paths to it that stayed inside, so nothing overflows (Hodges 1958, "The significance probability
 *   of the Smirnov two-sample test").
 *   asymptotic: the Kolmogorov distribution, P(K > z) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²z²}, at
 *   z = d·(√en + 0.12 + 0.11/√en), en = nm/(n+m) (Stephens' small-sample correction).
 */

export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymp";
}

const MAX_EXACT_N = 10_000;

export function ksStatistic(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const a = Float64Array.from(reference).sort();
  const b = Float64Array.from(current).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const t = Math.min(a[i], b[j]);
    while (i < a.length && a[i] <= t) i++;
    while (j < b.length && b[j] <= t) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** P(D ≥ d) for samples of n and m, exactly. */
export function ksExactPValue(d: number, n: number, m: number): number {
  // D takes values h/lcm(n, m); on the integer grid the boundary is |i·m − j·n| ≥ h·(n·m/lcm)
  const lcm = (n / gcd(n, m)) * m;
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  const bound = h * ((n * m) / lcm);
  let row = new Float64Array(m + 1);
  let next = new Float64Array(m + 1);
  // row i = 0: paths along j stay inside while |−j·n| < bound
  row[0] = 1;
  for (let j = 1; j <= m; j++) row[j] = Math.abs(-j * n) < bound ? row[j - 1] : 0;
  for (let i = 1; i <= n; i++) {
    next[0] = Math.abs(i * m) < bound ? row[0] : 0;
    for (let j = 1; j <= m; j++) {
      // the share of paths to (i, j) inside = weighted shares of its two predecessors
      next[j] = Math.abs(i * m - j * n) < bound ? (i * row[j] + j * next[j - 1]) / (i + j) : 0;
    }
    [row, next] = [next, row];
  }
  return Math.min(1, Math.max(0, 1 - row[m]));
}

/** P(K > z) for the Kolmogorov distribution. */
export function kolmogorovSurvival(z: number): number {
  if (z <= 0) return 1;
  if (z < 0.27) return 1; // the series converges badly here; the value is 1 to double precision
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    sum += (k % 2 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

export function ks2samp(reference: ArrayLike<number>, current: ArrayLike<number>, method: "auto" | "exact" | "asymp" = "auto"): KsResult {
  const n = reference.length;
  const m = current.length;
  if (n === 0 || m === 0) throw new Error("the KS test needs samples on both sides");
  const statistic = ksStatistic(reference, current);
  const exact = method === "exact" || (method === "auto" && Math.max(n, m) <= MAX_EXACT_N);
  if (exact) return { statistic, pValue: ksExactPValue(statistic, n, m), method: "exact" };
  const en = (n * m) / (n + m);
  const z = statistic * (Math.sqrt(en) + 0.12 + 0.11 / Math.sqrt(en));
  return { statistic, pValue: kolmogorovSurvival(z), method: "asymp" };
}
