/**
 * Welch's t-test, as gbstats runs it (GB repo packages/stats/gbstats/frequentist/tests.py, TTest):
 *   t = Δ / SE, with Δ and SE absolute or relative (statistics.ts, utils.py);
 *   dof (Welch–Satterthwaite) from the raw per-unit variances, even for a relative effect:
 *     (vB/nB + vA/nA)² / (vB²/(nB²(nB − 1)) + vA²/(nA²(nA − 1)));
 *   two-sided p = 2(1 − T_dof(|t|)), CI = Δ ± t_{1−α/2, dof}·SE.
 * Defaults as gbstats' BaseConfig: relative difference, α = 0.05.
 *
 *   welchTest(summarize(control), summarize(treatment), { relative: false, alpha: 0.05 })
 */
import { studentTPpf, studentTSf } from "./distributions";
import { estimateEffect, type Summary } from "./statistics";

export interface TestOptions {
  /** Relative effect (B − A)/|A| (default) or absolute B − A. */
  relative: boolean;
  /** Two-sided level: the CI covers 1 − α (default 0.05). */
  alpha: number;
}

export const DEFAULT_TEST_OPTIONS: TestOptions = { relative: true, alpha: 0.05 };

export interface FrequentistResult {
  estimate: number;
  se: number;
  dof: number;
  pValue: number;
  ci: [number, number];
}

export function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
}

/** Welch–Satterthwaite degrees of freedom from the per-unit variances. */
export function welchDof(control: Summary, treatment: Summary): number {
  const a = control.variance / control.n;
  const b = treatment.variance / treatment.n;
  return (a + b) ** 2 / ((b * b) / (treatment.n - 1) + (a * a) / (control.n - 1));
}

export function welchTest(control: Summary, treatment: Summary, options: Partial<TestOptions> = {}): FrequentistResult {
  const { relative, alpha } = { ...DEFAULT_TEST_OPTIONS, ...options };
  checkAlpha(alpha);
  const { estimate, se } = estimateEffect(control, treatment, relative);
  const dof = welchDof(control, treatment);
  const pValue = Math.min(1, 2 * studentTSf(Math.abs(estimate / se), dof));
  const half = -studentTPpf(alpha / 2, dof) * se; // t_{1−α/2} without rounding 1 − α/2
  return { estimate, se, dof, pValue, ci: [estimate - half, estimate + half] };
}
