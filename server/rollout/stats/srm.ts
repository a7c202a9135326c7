/**
 * Sample-ratio mismatch: did users reach the variations in the proportions the split asked for?
 * Pearson's χ² goodness of fit, as gbstats' utils.check_srm computes it (GB repo packages/stats/gbstats):
 *   e_i = w_i/Σw · Σo, χ² = Σ (o_i − e_i)²/e_i over the variations with w_i > 0,
 *   p = chi2.sf(χ², #variations − 1); no users at all gives p = 1.
 * Health as GrowthBook shows it (packages/shared/src/health/health.ts, getSRMHealthData, with the
 * defaults of packages/shared/src/constants.ts): "not-enough-traffic" below #variations × 8 users,
 * else "unhealthy" if p < 0.001, else "healthy".
 *
 *   srmHealth([9600, 10400], [0.5, 0.5])  // { pValue: 1.5e-8, health: "unhealthy" }
 */
import { chiSquareSf } from "./distributions";

export const DEFAULT_SRM_THRESHOLD = 0.001;
export const DEFAULT_SRM_MIN_PER_VARIATION = 8;

export type SrmHealth = "healthy" | "unhealthy" | "not-enough-traffic";

export interface SrmOptions {
  /** p below this is a mismatch (default 0.001). */
  threshold: number;
  /** Users per variation needed before judging (default 8). */
  minPerVariation: number;
}

/** The SRM p-value of observed users per variation against the expected weights. */
export function checkSrm(users: readonly number[], weights: readonly number[]): number {
  if (users.length !== weights.length) throw new RangeError(`${users.length} user counts but ${weights.length} weights`);
  if (users.length < 2) throw new RangeError("an SRM check needs at least 2 variations");
  const total = users.reduce((s, o) => s + o, 0);
  const totalWeight = weights.reduce((s, w) => s + (w > 0 ? w : 0), 0);
  if (total <= 0 || totalWeight <= 0) return 1;
  let x2 = 0;
  users.forEach((observed, i) => {
    if (weights[i] <= 0) return;
    const expected = (weights[i] / totalWeight) * total;
    x2 += (observed - expected) ** 2 / expected;
  });
  return chiSquareSf(x2, users.length - 1);
}

export function srmHealth(users: readonly number[], weights: readonly number[], options: Partial<SrmOptions> = {}): { pValue: number; health: SrmHealth } {
  const { threshold, minPerVariation } = { threshold: DEFAULT_SRM_THRESHOLD, minPerVariation: DEFAULT_SRM_MIN_PER_VARIATION, ...options };
  const pValue = checkSrm(users, weights);
  const total = users.reduce((s, o) => s + o, 0);
  if (total < users.length * minPerVariation) return { pValue, health: "not-enough-traffic" };
  return { pValue, health: pValue < threshold ? "unhealthy" : "healthy" };
}
