/**
 * The distributions gbstats takes from scipy.stats (frequentist/tests.py: t.cdf, t.ppf; bayesian/tests.py:
 * norm.sf, norm.ppf; utils.py check_srm: chi2.sf), written from the textbook methods:
 *   ln Γ: Stirling's series with its remainder δ(x) = 1/(12x) − 1/(360x³) + … for x ≥ 10, shifted up
 *     by Γ(x+1) = xΓ(x) below; ln B(a, b) keeps the large ln Γ terms from cancelling (the difference of
 *     two Stirling series, as SLATEC/R's lbeta do), so t with 10⁶ degrees of freedom stays accurate.
 *   P(a, x), Q(a, x) (regularized incomplete gamma): power series for x < a + 1, otherwise Legendre's
 *     continued fraction by the modified Lentz method (Numerical Recipes §6.2).
 *   normal: Φ(z) = ½ erfc(−z/√2), erfc(x) = Q(½, x²); ppf by Acklam's rational approximation
 *     (relative error 1.15e-9) polished by one Halley step on the accurate Φ.
 *   Student t: sf(t) = ½ I_{ν/(ν+t²)}(ν/2, ½), with the regularized incomplete beta I_x(a, b) by its
 *     continued fraction (modified Lentz, NR §6.4), on the side where it converges; the quantile
 *     inverts the sf by Newton's method on ln sf inside a bisection bracket (closed forms for ν = 1, 2).
 *   chi-square: sf(x; k) = Q(k/2, x/2).
 * Accuracy against scipy 1.17 (fixtures/make_fixtures.py → distributions.json): better than 1e-13 relative
 * for the normal, chi-square and t up to a few thousand dof; at 10⁶ dof the beta fraction loses digits
 * (x near 1), to 4e-11 for the cdf and 4e-12 for the quantile.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/** Stirling's remainder δ(x) = ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π), for x ≥ 10 (error < 1e-17). */
function stirlingRemainder(x: number): number {
  const r = 1 / (x * x);
  return (1 / x) * (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188 - r * (691 / 360360 - r / 156))))));
}

/** ln Γ(x), x > 0. */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma needs x > 0, got ${x}`);
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingRemainder(x);
  let product = 1; // Γ(x) = Γ(x + k) / (x (x+1) … (x+k−1))
  let shifted = x;
  while (shifted < 10) product *= shifted++;
  return lnGamma(shifted) - Math.log(product);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without cancelling the large terms. */
export function lnBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = stirlingRemainder(q) - stirlingRemainder(p + q);
    return lnGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
}

/** Regularized incomplete gamma: { lower: P(a, x), upper: Q(a, x) }. */
export function incompleteGamma(a: number, x: number): { lower: number; upper: number } {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`incompleteGamma needs a > 0, x ≥ 0, got a=${a}, x=${x}`);
  if (x === 0) return { lower: 0, upper: 1 };
  if (x === Infinity) return { lower: 1, upper: 0 };
  const prefactor = Math.exp(a * Math.log(x) - x - lnGamma(a));
  if (x < a + 1) {
    // P = e^{−x} x^a / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    const lower = sum * prefactor;
    return { lower, upper: 1 - lower };
  }
  // Q = e^{−x} x^a / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …)))
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  const upper = prefactor * h;
  return { lower: 1 - upper, upper };
}

/** Continued fraction of I_x(a, b) without its prefactor (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b). `y` = 1 − x may be passed when the caller knows it more
 * precisely than 1 − x can be computed (x near 1).
 */
export function regularizedBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0)) throw new RangeError(`regularizedBeta needs a, b > 0 and 0 ≤ x ≤ 1`);
  if (x === 0) return 0;
  if (y === 0) return 1;
  const lnX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const front = Math.exp(a * lnX + b * lnY - lnBeta(a, b));
  // the fraction converges fast for x < (a+1)/(a+b+2); otherwise use I_x(a,b) = 1 − I_y(b,a)
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

// ---------------------------------------------------------------------------------------------
// Normal

export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI);
}

/** Φ(z) = P(Z ≤ z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === -Infinity) return 0;
  if (z === Infinity) return 1;
  const { lower, upper } = incompleteGamma(0.5, 0.5 * z * z); // erf(|z|/√2) = P(½, z²/2)
  return z < 0 ? 0.5 * upper : 0.5 + 0.5 * lower;
}

/** 1 − Φ(z), accurate in the upper tail. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/** Acklam's approximation for p ≤ ½. */
function acklamLower(p: number): number {
  const [a, b, c, d] = [ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D];
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Φ⁻¹(p). */
export function normalPpf(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalPpf(1 - p); // 1 − p is exact for p ≥ ½
  let x = acklamLower(p);
  for (let i = 0; i < 2; i++) {
    // Halley's step on Φ(x) − p (Φ'' = −xφ)
    const u = (normalCdf(x) - p) / normalPdf(x);
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

/** Φ⁻¹(1 − q): the upper-tail quantile, accurate for tiny q. */
export function normalIsf(q: number): number {
  return -normalPpf(q);
}

// ---------------------------------------------------------------------------------------------
// Student t

function checkDof(dof: number): void {
  if (!(dof > 0)) throw new RangeError(`Student t needs dof > 0, got ${dof}`);
}

export function studentTPdf(t: number, dof: number): number {
  checkDof(dof);
  return Math.exp(-0.5 * (dof + 1) * Math.log1p((t * t) / dof) - 0.5 * Math.log(dof) - lnBeta(0.5 * dof, 0.5));
}

/** P(T > t). */
export function studentTSf(t: number, dof: number): number {
  checkDof(dof);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const t2 = t * t;
  // P(|T| > |t|) = I_x(ν/2, ½) with x = ν/(ν+t²), 1 − x = t²/(ν+t²)
  const tails = regularizedBeta(dof / (dof + t2), 0.5 * dof, 0.5, t2 / (dof + t2));
  return t > 0 ? 0.5 * tails : 1 - 0.5 * tails;
}

/** P(T ≤ t). */
export function studentTCdf(t: number, dof: number): number {
  return studentTSf(-t, dof);
}

/** The t ≥ 0 with P(T > t) = q, for 0 < q ≤ ½. */
function studentTUpperQuantile(q: number, dof: number): number {
  if (q === 0.5) return 0;
  if (dof === 1) return 1 / Math.tan(Math.PI * q);
  if (dof === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  // t quantiles lie beyond the normal ones: bracket [z, hi], then Newton on ln sf(t) − ln q
  let lo = normalIsf(q);
  let hi = Math.max(2 * lo, 1);
  while (studentTSf(hi, dof) > q) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return Infinity;
  }
  const target = Math.log(q);
  let t = lo;
  for (let i = 0; i < 200; i++) {
    const sf = studentTSf(t, dof);
    const g = Math.log(sf) - target; // decreasing in t
    if (g > 0) lo = Math.max(lo, t);
    else hi = Math.min(hi, t);
    let next = t + (g * sf) / studentTPdf(t, dof);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) <= 1e-15 * Math.abs(next) || hi - lo <= 1e-15 * hi) return next;
    t = next;
  }
  return t;
}

/** Quantile of Student's t: the t with P(T ≤ t) = p. */
export function studentTPpf(p: number, dof: number): number {
  checkDof(dof);
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return p < 0.5 ? -studentTUpperQuantile(p, dof) : studentTUpperQuantile(1 - p, dof);
}

// ---------------------------------------------------------------------------------------------
// Chi-square

/** P(X > x) for X ~ χ²(dof). */
export function chiSquareSf(x: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`chi-square needs dof > 0, got ${dof}`);
  if (!(x > 0)) return 1;
  return incompleteGamma(0.5 * dof, 0.5 * x).upper;
}
