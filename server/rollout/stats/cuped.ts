/**
 * CUPED: variance reduction with a pre-period covariate (Deng, Xu, Kohavi & Walker, "Improving the
 * Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013; GrowthBook
 * calls it regression adjustment, gbstats models/statistics.py RegressionAdjustedStatistic).
 * For each variation: n, Σy, Σy², Σx, Σx², Σxy of the metric y and its pre-period value x. Then
 *   θ = pooled within-variation cov(x, y) / pooled within-variation var(x)
 *     = Σ_v (Σxy − n x̄ȳ)_v / Σ_v (Σx² − n x̄²)_v;
 *   adjusted mean of a variation = ȳ − θ(x̄ − x̄_pooled), x̄_pooled over all units;
 *   adjusted per-unit variance = var(y) + θ² var(x) − 2θ cov(x, y) (that variation's own, n − 1);
 * and the same Welch test (frequentist.ts) runs on the adjusted summaries. With correlation ρ between
 * x and y the standard error shrinks by about sqrt(1 − ρ²); x is fixed before assignment, so the
 * adjustment leaves the effect unbiased. θ is treated as known (its own noise is O(1/n)).
 *
 *   const { control, treatment } = cupedAdjust(a, b);
 *   welchTest(control, treatment, { relative: false });
 */
import type { Summary } from "./statistics";

/** A metric y with a pre-period covariate x, per variation. */
export interface CupedStatistic {
  kind: "cuped";
  n: number;
  sumY: number;
  sumYSquares: number;
  sumX: number;
  sumXSquares: number;
  sumXY: number;
}

export interface CupedAdjustment {
  theta: number;
  control: Summary;
  treatment: Summary;
}

/** Centered sums of one variation: Sxx, Syy, Sxy (Σ(x − x̄)², Σ(y − ȳ)², Σ(x − x̄)(y − ȳ)). */
function centeredSums(s: CupedStatistic): { sxx: number; syy: number; sxy: number } {
  return {
    sxx: s.sumXSquares - (s.sumX * s.sumX) / s.n,
    syy: s.sumYSquares - (s.sumY * s.sumY) / s.n,
    sxy: s.sumXY - (s.sumX * s.sumY) / s.n,
  };
}

/** θ = pooled cov(x, y) / pooled var(x); 0 when the covariate does not vary. */
export function cupedTheta(control: CupedStatistic, treatment: CupedStatistic): number {
  const a = centeredSums(control);
  const b = centeredSums(treatment);
  const sxx = a.sxx + b.sxx;
  return sxx > 0 ? (a.sxy + b.sxy) / sxx : 0;
}

export function cupedAdjust(control: CupedStatistic, treatment: CupedStatistic): CupedAdjustment {
  for (const s of [control, treatment]) if (s.n < 2) throw new RangeError("CUPED needs at least 2 units per variation");
  const theta = cupedTheta(control, treatment);
  const pooledMeanX = (control.sumX + treatment.sumX) / (control.n + treatment.n);
  const adjust = (s: CupedStatistic): Summary => {
    const { sxx, syy, sxy } = centeredSums(s);
    const variance = (syy + theta * theta * sxx - 2 * theta * sxy) / (s.n - 1);
    return { n: s.n, mean: s.sumY / s.n - theta * (s.sumX / s.n - pooledMeanX), variance: Math.max(0, variance) };
  };
  return { theta, control: adjust(control), treatment: adjust(treatment) };
}
