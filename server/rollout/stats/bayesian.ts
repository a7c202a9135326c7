/**
 * The Bayesian read of an effect, as gbstats' effect-posterior engine computes it
 * (GB repo packages/stats/gbstats/bayesian/tests.py, EffectBayesianABTest):
 *   posterior of δ: with the default flat prior (GaussianPrior(0, 1, proper=False)) it is N(Δ, SE²);
 *     with a proper prior N(μ0, τ²): precision 1/SE² + 1/τ², mean (Δ/SE² + μ0/τ²)/precision.
 *     (The prior is taken in the effect's own scale: gbstats' absolute→relative rescale never runs,
 *     its line 144 compares the config object to a string.)
 *   chance to win = P(δ > 0) = norm.sf(0, mean, sd); for an inverse metric (lower is better) P(δ < 0).
 *   risk = [E[max(δ, 0)], E[max(−δ, 0)]]: the expected loss of shipping control, of shipping treatment,
 *     each P(side)·(truncated-normal mean of that side); when |μ/σ| > 37 the tail underflows and it is
 *     [max(μ, 0), max(−μ, 0)]. For an inverse metric the gains are −δ, so the pair swaps (gbstats
 *     flips it too).
 *   credible interval = norm.ppf([α/2, 1 − α/2], mean, sd).
 */
import { normalCdf, normalPdf, normalPpf, normalSf } from "./distributions";
import { checkAlpha, DEFAULT_TEST_OPTIONS, type TestOptions } from "./frequentist";
import { estimateEffect, type Effect, type Summary } from "./statistics";

export interface GaussianPrior {
  mean: number;
  variance: number;
  /** false: flat (improper), the posterior is the likelihood. */
  proper: boolean;
}

export const FLAT_PRIOR: GaussianPrior = { mean: 0, variance: 1, proper: false };

export interface BayesianOptions extends TestOptions {
  /** Lower is better: flips chance to win and risk. */
  inverse: boolean;
  prior: GaussianPrior;
}

export interface BayesianResult {
  /** Posterior mean and standard deviation of the effect. */
  mean: number;
  sd: number;
  chanceToWin: number;
  /** [expected loss of choosing control, of choosing treatment]. */
  risk: [number, number];
  ci: [number, number];
}

/** |μ/σ| beyond which the far tail underflows and the risk is taken as exact. */
const RISK_Z_LIMIT = 37;

export function effectPosterior(effect: Effect, prior: GaussianPrior = FLAT_PRIOR): { mean: number; sd: number } {
  if (!prior.proper) return { mean: effect.estimate, sd: effect.se };
  if (!(prior.variance > 0)) throw new RangeError(`a proper prior needs a variance > 0, got ${prior.variance}`);
  const dataPrecision = 1 / (effect.se * effect.se);
  const precision = dataPrecision + 1 / prior.variance;
  return { mean: (effect.estimate * dataPrecision + prior.mean / prior.variance) / precision, sd: Math.sqrt(1 / precision) };
}

/** E[X | X > 0] for X ~ N(μ, σ²): μ + σ φ(a)/(1 − Φ(a)), a = −μ/σ. */
export function truncatedNormalMeanAboveZero(mu: number, sigma: number): number {
  const a = -mu / sigma;
  return mu + (sigma * normalPdf(a)) / normalSf(a);
}

/** [E[max(δ, 0)], E[max(−δ, 0)]] for δ ~ N(μ, σ²). */
export function normalRisk(mu: number, sigma: number): [number, number] {
  if (Math.abs(mu / sigma) > RISK_Z_LIMIT) return [Math.max(mu, 0), Math.max(-mu, 0)];
  const pUp = normalSf(-mu / sigma);
  const pDown = normalCdf(-mu / sigma);
  return [pUp * truncatedNormalMeanAboveZero(mu, sigma), pDown * truncatedNormalMeanAboveZero(-mu, sigma)];
}

export function bayesianTest(control: Summary, treatment: Summary, options: Partial<BayesianOptions> = {}): BayesianResult {
  const { relative, alpha, inverse, prior } = { ...DEFAULT_TEST_OPTIONS, inverse: false, prior: FLAT_PRIOR, ...options };
  checkAlpha(alpha);
  const { mean, sd } = effectPosterior(estimateEffect(control, treatment, relative), prior);
  const up = normalSf(-mean / sd); // P(δ > 0)
  const down = normalCdf(-mean / sd);
  const [riskControl, riskTreatment] = normalRisk(mean, sd);
  const z = normalPpf(alpha / 2);
  return {
    mean,
    sd,
    chanceToWin: inverse ? down : up,
    risk: inverse ? [riskTreatment, riskControl] : [riskControl, riskTreatment],
    ci: [mean + z * sd, mean - z * sd],
  };
}
