/**
 * Experiment statistics of the rollout layer, as GrowthBook's gbstats computes them (GB repo
 * packages/stats/gbstats; formulas and test vectors in ../shared/docs/ROLLOUT-REFERENCES.md §2).
 * One entry compares a treatment with the control on one metric: the frequentist Welch test (effect,
 * SE, CI, p), the Bayesian chance to win and risk from the same effect, and, when asked, the
 * always-valid sequential CI and p for results that are looked at while the experiment runs.
 *
 *   compareVariations(
 *     { kind: "proportion", n: 1000, sum: 120 },
 *     { kind: "proportion", n: 1000, sum: 138 },
 *     { sequential: true },
 *   ); // { relative: true, effect: 0.15, se, ci, pValue, chanceToWin, risk, sequential: { ci, pValue } }
 *
 * Metrics with a pre-period covariate pass CupedStatistic pairs (cuped.ts), which are adjusted first.
 */
import { bayesianTest, FLAT_PRIOR, type GaussianPrior } from "./bayesian";
import { cupedAdjust, type CupedStatistic } from "./cuped";
import { DEFAULT_TEST_OPTIONS, welchTest } from "./frequentist";
import { DEFAULT_SEQUENTIAL_TUNING, sequentialTest } from "./sequential";
import { effectProblem, summarize, type SufficientStatistic, type Summary } from "./statistics";

export * from "./distributions";
export * from "./statistics";
export * from "./frequentist";
export * from "./sequential";
export * from "./bayesian";
export * from "./srm";
export * from "./cuped";

export type VariationStatistic = SufficientStatistic | CupedStatistic;

export interface CompareOptions {
  /** Lower is better (latency, errors): flips chance to win and risk. */
  inverse?: boolean;
  /** Relative effect (B − A)/|A| (default) or absolute B − A. */
  relative?: boolean;
  /** Two-sided level (default 0.05). */
  alpha?: number;
  /** Prior of the Bayesian read; flat by default. */
  prior?: GaussianPrior;
  /** Also the always-valid sequential CI and p; `{ tuning }` sets N (default 5000). */
  sequential?: boolean | { tuning?: number };
}

export interface Comparison {
  relative: boolean;
  effect: number;
  se: number;
  ci: [number, number];
  pValue: number;
  chanceToWin: number;
  /** [expected loss of choosing control, of choosing treatment], in the effect's units. */
  risk: [number, number];
  sequential?: { ci: [number, number]; pValue: number };
  /** Why nothing could be estimated (then the figures are neutral: effect 0, p 1, chance 0.5). */
  error?: string;
}

function summaries(control: VariationStatistic, treatment: VariationStatistic): [Summary, Summary] {
  if (control.kind === "cuped" && treatment.kind === "cuped") {
    const adjusted = cupedAdjust(control, treatment);
    return [adjusted.control, adjusted.treatment];
  }
  return [summarize(control as SufficientStatistic), summarize(treatment as SufficientStatistic)];
}

function neutral(relative: boolean, sequential: boolean, error: string): Comparison {
  const none = { ci: [0, 0] as [number, number], pValue: 1 };
  return { relative, effect: 0, se: 0, ...none, chanceToWin: 0.5, risk: [0, 0], ...(sequential ? { sequential: none } : {}), error };
}

export function compareVariations(control: VariationStatistic, treatment: VariationStatistic, options: CompareOptions = {}): Comparison {
  if (control.kind !== treatment.kind) throw new RangeError(`control is a ${control.kind} metric, treatment a ${treatment.kind} one`);
  const relative = options.relative ?? DEFAULT_TEST_OPTIONS.relative;
  const alpha = options.alpha ?? DEFAULT_TEST_OPTIONS.alpha;
  const inverse = options.inverse ?? false;
  const sequential = Boolean(options.sequential);
  const tuning = typeof options.sequential === "object" ? (options.sequential.tuning ?? DEFAULT_SEQUENTIAL_TUNING) : DEFAULT_SEQUENTIAL_TUNING;
  if (control.n < 2 || treatment.n < 2) return neutral(relative, sequential, "each variation needs at least 2 units");
  const [a, b] = summaries(control, treatment);
  const error = effectProblem(a, b, relative);
  if (error) return neutral(relative, sequential, error);

  const frequentist = welchTest(a, b, { relative, alpha });
  const bayesian = bayesianTest(a, b, { relative, alpha, inverse, prior: options.prior ?? FLAT_PRIOR });
  const result: Comparison = {
    relative,
    effect: frequentist.estimate,
    se: frequentist.se,
    ci: frequentist.ci,
    pValue: frequentist.pValue,
    chanceToWin: bayesian.chanceToWin,
    risk: bayesian.risk,
  };
  if (sequential) {
    const { ci, pValue } = sequentialTest(a, b, { relative, alpha, tuning });
    result.sequential = { ci, pValue };
  }
  return result;
}
