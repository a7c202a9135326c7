/**
 * Sufficient statistics of a metric in one variation, and the effect of a treatment over the control,
 * as gbstats defines them (GB repo packages/stats/gbstats):
 *   models/statistics.py  SampleMeanStatistic: mean = sum/n, var = (ss − sum²/n)/(n − 1);
 *                         ProportionStatistic: p = sum/n, var = p(1 − p) (no n − 1 correction).
 *   utils.py              absolute Δ = μB − μA, Var = σB²/nB + σA²/nA;
 *                         relative Δ = (μB − μA)/|μA|, Var = (σB²/nB)/μA² + (σA²/nA)·μB²/μA⁴ (delta method,
 *                         variance_of_ratios with zero covariance).
 * Variances here are per unit (σ²); the variance of a mean is σ²/n.
 */

/** A metric with values per unit: their count, sum and sum of squares. */
export interface MeanStatistic {
  kind: "mean";
  n: number;
  sum: number;
  sumSquares: number;
}

/** A conversion metric: units and how many of them converted. */
export interface ProportionStatistic {
  kind: "proportion";
  n: number;
  sum: number;
}

export type SufficientStatistic = MeanStatistic | ProportionStatistic;

/** What the tests need of a variation: units, mean and per-unit variance. */
export interface Summary {
  n: number;
  mean: number;
  variance: number;
}

/** An effect estimate of treatment over control and its standard error. */
export interface Effect {
  estimate: number;
  se: number;
}

export function mean(stat: SufficientStatistic): number {
  return stat.n > 0 ? stat.sum / stat.n : 0;
}

export function variance(stat: SufficientStatistic): number {
  if (stat.kind === "proportion") {
    const p = mean(stat);
    return p * (1 - p);
  }
  if (stat.n < 2) return 0;
  // rounding can leave a constant metric a hair below zero
  return Math.max(0, (stat.sumSquares - (stat.sum * stat.sum) / stat.n) / (stat.n - 1));
}

export function summarize(stat: SufficientStatistic): Summary {
  return { n: stat.n, mean: mean(stat), variance: variance(stat) };
}

/** Why no effect can be estimated (too few units, a zero control mean for a relative effect, no variance), or null. */
export function effectProblem(control: Summary, treatment: Summary, relative: boolean): string | null {
  if (control.n < 2 || treatment.n < 2) return "each variation needs at least 2 units";
  if (relative && control.mean === 0) return "the control mean is 0, so a relative effect is undefined";
  if (!(control.variance > 0) && !(treatment.variance > 0)) return "neither variation varies, so the effect has no standard error";
  return null;
}

/** Δ and its standard error, absolute or relative (delta method). Throws where effectProblem says why. */
export function estimateEffect(control: Summary, treatment: Summary, relative: boolean): Effect {
  const problem = effectProblem(control, treatment, relative);
  if (problem) throw new RangeError(problem);
  const varMeanA = control.variance / control.n;
  const varMeanB = treatment.variance / treatment.n;
  if (!relative) return { estimate: treatment.mean - control.mean, se: Math.sqrt(varMeanA + varMeanB) };
  const muA2 = control.mean * control.mean;
  return {
    estimate: (treatment.mean - control.mean) / Math.abs(control.mean),
    se: Math.sqrt(varMeanB / muA2 + (varMeanA * treatment.mean * treatment.mean) / (muA2 * muA2)),
  };
}
