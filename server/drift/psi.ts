/**
 * Population stability index, as Evidently computes it (legacy/calculations/stattests/psi.py):
 *   PSI = Σ (ref% − cur%) · ln(ref% / cur%), over bins; a bin with no samples counts as 0.0001 (or
 *   min/10⁶ when the smallest share is below that). Usual reading: < 0.1 insignificant, 0.1–0.25
 *   moderate, ≥ 0.25 major. Here bins are the reference's quantiles (`bins` of equal reference mass),
 *   so each bin holds a known share of the reference and drift shows as mass moving between them.
 */

/** PSI of two distributions given as shares per bin (each summing to 1). */
export function psiFromShares(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length !== current.length) throw new Error(`PSI needs the same bins on both sides, got ${reference.length} and ${current.length}`);
  const shares = [...Array.from(reference), ...Array.from(current)].filter((s) => s > 0);
  const smallest = shares.length ? Math.min(...shares) : 1;
  const floor = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] || floor;
    const c = current[i] || floor;
    psi += (r - c) * Math.log(r / c);
  }
  return psi;
}

/** Upper edges of `bins` reference-quantile bins (the last bin is open above). */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const sorted = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) edges.push(sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))]);
  return [...new Set(edges)]; // ties (discrete features) merge bins
}

function shares(values: ArrayLike<number>, edges: number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  for (let b = 0; b < counts.length; b++) counts[b] /= values.length;
  return counts;
}

/** PSI of one feature: current against the reference, on the reference's quantile bins. */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  if (reference.length === 0 || current.length === 0) throw new Error("PSI needs samples on both sides");
  const edges = quantileEdges(reference, bins);
  return psiFromShares(shares(reference, edges), shares(current, edges));
}
