/**
 * Always-valid confidence sequence for the effect, so results may be looked at any number of times
 * (Waudby-Smith et al., "Time-uniform central limit theory and asymptotic confidence sequences",
 * arXiv 2103.06476v7, the asymptotic normal-mixture CS), as gbstats applies it
 * (GB repo packages/stats/gbstats/frequentist/tests.py, SequentialTwoSidedTTest):
 *   N = tuning parameter (the sample size the CS is tightest around; GrowthBook's default 5000),
 *   n = nA + nB, ρ = sqrt((−2 ln α + ln(−2 ln α + 1)) / N), s² = SE²·n,
 *   halfwidth = s·sqrt(2(nρ² + 1)·ln(sqrt(nρ² + 1)/α) / (nρ)²), CI = Δ ± halfwidth;
 *   p = min(1, 1/e), e = exp(ρ²·st²/(2(nρ² + 1))) / sqrt(nρ² + 1), st² = Δ²·n/SE² (the mixture
 *   martingale's value: 1/e is an anytime-valid p-value).
 * Two-sided only (a one-sided test would use 2α in ρ).
 */
import { checkAlpha, DEFAULT_TEST_OPTIONS, type TestOptions } from "./frequentist";
import { estimateEffect, type Summary } from "./statistics";

export const DEFAULT_SEQUENTIAL_TUNING = 5000;

export interface SequentialOptions extends TestOptions {
  /** N: the total sample size around which the sequence is tightest (default 5000). */
  tuning: number;
}

export interface SequentialResult {
  estimate: number;
  se: number;
  halfwidth: number;
  ci: [number, number];
  pValue: number;
}

/** ρ of the normal mixture, for a two-sided level α and tuning N. */
export function mixtureRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

export function sequentialTest(control: Summary, treatment: Summary, options: Partial<SequentialOptions> = {}): SequentialResult {
  const { relative, alpha, tuning } = { ...DEFAULT_TEST_OPTIONS, tuning: DEFAULT_SEQUENTIAL_TUNING, ...options };
  checkAlpha(alpha);
  if (!(tuning > 0)) throw new RangeError(`the sequential tuning parameter must be > 0, got ${tuning}`);
  const { estimate, se } = estimateEffect(control, treatment, relative);
  const n = control.n + treatment.n;
  const rho = mixtureRho(alpha, tuning);
  const v = n * rho * rho + 1; // nρ² + 1
  const halfwidth = se * Math.sqrt(n) * Math.sqrt((2 * v * Math.log(Math.sqrt(v) / alpha)) / (n * rho) ** 2);
  const st2 = (estimate * estimate * n) / (se * se);
  const lnE = (rho * rho * st2) / (2 * v) - 0.5 * Math.log(v);
  return { estimate, se, halfwidth, ci: [estimate - halfwidth, estimate + halfwidth], pValue: Math.min(1, Math.exp(-lnE)) };
}
