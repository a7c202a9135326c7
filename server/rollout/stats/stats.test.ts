import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  bayesianTest,
  checkSrm,
  chiSquareSf,
  compareVariations,
  cupedAdjust,
  estimateEffect,
  normalCdf,
  normalPpf,
  normalRisk,
  normalSf,
  sequentialTest,
  srmHealth,
  studentTCdf,
  studentTPpf,
  studentTSf,
  summarize,
  welchTest,
  type CupedStatistic,
  type MeanStatistic,
  type ProportionStatistic,
} from "./index";

const fixture = (name: string) => JSON.parse(readFileSync(`server/rollout/stats/fixtures/${name}`, "utf8"));
const distributions = fixture("distributions.json") as {
  normal: { z: number; cdf: number; sf: number }[];
  normalPpf: { p: number; ppf: number }[];
  studentT: { dof: number; t: number; cdf: number; sf: number }[];
  studentTPpf: { dof: number; p: number; ppf: number }[];
  chiSquareSf: { dof: number; x: number; sf: number }[];
};
type Vector = { effect: number; se: number; pValue: number; ci: [number, number]; dof?: number };
type BayesVector = { mean: number; sd: number; chanceToWin: number; risk: [number, number]; ci: [number, number] };
const vectors = fixture("vectors.json") as Record<"F1" | "F2" | "F3" | "S1" | "S2", Vector> &
  Record<"B1" | "B2" | "B2prior", BayesVector> & { SRM: { statistic: number; pValue: number } };

/** |got − expected| within 1e-9 of expected (and a hair above zero for values that underflow). */
function expectRelative(got: number, expected: number, tolerance = 1e-9): void {
  const error = Math.abs(got - expected);
  if (!(error <= tolerance * Math.abs(expected) + 1e-300)) expect.fail(`got ${got}, expected ${expected} (relative error ${error / Math.abs(expected)})`);
}

/** Matches a value quoted with k decimals: |got − quoted| ≤ ½·10⁻ᵏ. */
function expectDigits(got: number, quoted: string): void {
  const decimals = quoted.split(".")[1]?.length ?? 0;
  const error = Math.abs(got - Number(quoted));
  if (!(error <= 0.5 * 10 ** -decimals + 1e-15)) expect.fail(`got ${got}, quoted ${quoted} (${decimals} decimals)`);
}

const mean = (sum: number, sumSquares: number, n: number): MeanStatistic => ({ kind: "mean", n, sum, sumSquares });
const prop = (sum: number, n: number): ProportionStatistic => ({ kind: "proportion", n, sum });

// gbstats tests/frequentist/test_tests.py
const F1_A = summarize(mean(1396.87, 52377.9767, 3407));
const F1_B = summarize(mean(2422.7, 134698.29, 3461));

describe("distributions match scipy 1.17 (fixtures/make_fixtures.py)", () => {
  it("normal cdf, sf and ppf", () => {
    for (const r of distributions.normal) {
      expectRelative(normalCdf(r.z), r.cdf);
      expectRelative(normalSf(r.z), r.sf);
    }
    for (const r of distributions.normalPpf) expectRelative(normalPpf(r.p), r.ppf);
  });

  it("Student t cdf, sf and ppf for dof 1, 2, 5, 30, 5841.7, 1e6", () => {
    for (const r of distributions.studentT) {
      expectRelative(studentTCdf(r.t, r.dof), r.cdf);
      expectRelative(studentTSf(r.t, r.dof), r.sf);
    }
    for (const r of distributions.studentTPpf) expectRelative(studentTPpf(r.p, r.dof), r.ppf);
  });

  it("chi-square sf for df 1, 2, 9", () => {
    for (const r of distributions.chiSquareSf) expectRelative(chiSquareSf(r.x, r.dof), r.sf);
  });
});

describe("sufficient statistics", () => {
  it("mean: var = (ss − sum²/n)/(n − 1); proportion: var = p(1 − p)", () => {
    expect(summarize(mean(100, 1002.25, 10))).toEqual({ n: 10, mean: 10, variance: 0.25 });
    expect(summarize(prop(14, 28))).toEqual({ n: 28, mean: 0.5, variance: 0.25 });
  });

  it("relative effect by the delta method", () => {
    const { estimate, se } = estimateEffect(summarize(prop(49, 100)), summarize(prop(51, 100)), true);
    expectDigits(estimate, "0.04082");
    expectDigits(se, "0.14725");
  });

  it("refuses an undefined effect with the reason", () => {
    expect(() => estimateEffect(summarize(prop(0, 100)), summarize(prop(3, 100)), true)).toThrow(/control mean is 0/);
    expect(() => estimateEffect(summarize(prop(1, 1)), summarize(prop(3, 100)), false)).toThrow(/at least 2 units/);
  });
});

describe("frequentist Welch test (gbstats test vectors)", () => {
  it("F1 two-sided relative", () => {
    const r = welchTest(F1_A, F1_B, { relative: true, alpha: 0.05 });
    expectDigits(r.estimate, "0.70732");
    expectDigits(r.se, "0.37879");
    expectDigits(r.pValue, "0.06191");
    expectDigits(r.ci[0], "-0.03526");
    expectDigits(r.ci[1], "1.44989");
    expectDigits(r.dof, "5841.7");
    for (const [got, want] of [[r.estimate, vectors.F1.effect], [r.se, vectors.F1.se], [r.pValue, vectors.F1.pValue], [r.ci[0], vectors.F1.ci[0]], [r.ci[1], vectors.F1.ci[1]], [r.dof, vectors.F1.dof!]]) expectRelative(got, want);
  });

  it("F2 two-sided absolute", () => {
    const r = welchTest(F1_A, F1_B, { relative: false, alpha: 0.05 });
    expectDigits(r.estimate, "0.29");
    expectDigits(r.se, "0.12478");
    expectDigits(r.pValue, "0.02016");
    expectDigits(r.ci[0], "0.04538");
    expectDigits(r.ci[1], "0.53462");
    for (const [got, want] of [[r.se, vectors.F2.se], [r.pValue, vectors.F2.pValue], [r.ci[0], vectors.F2.ci[0]], [r.ci[1], vectors.F2.ci[1]]]) expectRelative(got, want);
  });

  it("F3 binomial relative", () => {
    const r = welchTest(summarize(prop(14, 28)), summarize(prop(16, 30)));
    expectDigits(r.estimate, "0.06667");
    expectDigits(r.se, "0.2717");
    expectDigits(r.pValue, "0.80707");
    expectDigits(r.ci[0], "-0.47767");
    expectDigits(r.ci[1], "0.61101");
    for (const [got, want] of [[r.se, vectors.F3.se], [r.pValue, vectors.F3.pValue], [r.ci[0], vectors.F3.ci[0]], [r.ci[1], vectors.F3.ci[1]]]) expectRelative(got, want);
  });
});

describe("sequential confidence sequence (gbstats test vectors)", () => {
  it("S1: tuning 1000", () => {
    const r = sequentialTest(summarize(mean(1396.87, 52377.9767, 3000)), F1_B, { tuning: 1000 });
    expectDigits(r.estimate, "0.50336");
    expectDigits(r.se, "0.33341");
    expectDigits(r.ci[0], "-0.55844");
    expectDigits(r.ci[1], "1.56516");
    expect(r.pValue).toBe(1);
    expectRelative(r.ci[0], vectors.S1.ci[0]);
    expectRelative(r.ci[1], vectors.S1.ci[1]);
  });

  it("S2: proportions, default tuning 5000", () => {
    const r = sequentialTest(summarize(prop(1396, 3000)), summarize(prop(2422, 3461)));
    expectDigits(r.estimate, "0.50386");
    expectDigits(r.ci[0], "0.40098");
    expectDigits(r.ci[1], "0.60675");
    expectDigits(r.pValue, "0.0");
    expectRelative(r.ci[0], vectors.S2.ci[0]);
    expectRelative(r.ci[1], vectors.S2.ci[1]);
    expectRelative(r.pValue, vectors.S2.pValue, 1e-8);
  });

  it("is wider than the fixed-horizon CI", () => {
    const fixed = welchTest(F1_A, F1_B);
    const sequential = sequentialTest(F1_A, F1_B);
    expect(sequential.ci[1] - sequential.ci[0]).toBeGreaterThan(fixed.ci[1] - fixed.ci[0]);
  });
});

describe("Bayesian effect posterior (gbstats test vectors)", () => {
  it("B1: binomial, flat prior", () => {
    const r = bayesianTest(summarize(prop(49, 100)), summarize(prop(51, 100)));
    expectDigits(r.mean, "0.04082");
    expectDigits(r.sd, "0.14725");
    expectDigits(r.chanceToWin, "0.60918");
    expectDigits(r.risk[0], "0.0814");
    expectDigits(r.risk[1], "0.04058");
    expectDigits(r.ci[0], "-0.24779");
    expectDigits(r.ci[1], "0.32943");
    const want = vectors.B1;
    for (const [got, w] of [[r.chanceToWin, want.chanceToWin], [r.risk[0], want.risk[0]], [r.risk[1], want.risk[1]], [r.ci[0], want.ci[0]], [r.ci[1], want.ci[1]]]) expectRelative(got, w);
  });

  it("B2: normal, flat prior and a proper prior N(0.1, 0.1)", () => {
    const a = summarize(mean(100, 1002.25, 10));
    const b = summarize(mean(105, 1111.5, 10));
    const flat = bayesianTest(a, b);
    expectDigits(flat.mean, "0.05");
    expectDigits(flat.sd, "0.03572");
    expectDigits(flat.chanceToWin, "0.91923");
    expectDigits(flat.risk[0], "0.05131");
    expectDigits(flat.risk[1], "0.00131");
    for (const [got, w] of [[flat.chanceToWin, vectors.B2.chanceToWin], [flat.risk[0], vectors.B2.risk[0]], [flat.risk[1], vectors.B2.risk[1]]]) expectRelative(got, w);

    const proper = bayesianTest(a, b, { prior: { mean: 0.1, variance: 0.1, proper: true } });
    expectDigits(proper.mean, "0.05063");
    expectDigits(proper.chanceToWin, "0.92315");
    for (const [got, w] of [[proper.mean, vectors.B2prior.mean], [proper.sd, vectors.B2prior.sd], [proper.chanceToWin, vectors.B2prior.chanceToWin], [proper.risk[0], vectors.B2prior.risk[0]]]) expectRelative(got, w);
  });

  it("an inverse metric flips chance to win and risk", () => {
    const a = summarize(prop(49, 100));
    const b = summarize(prop(51, 100));
    const up = bayesianTest(a, b);
    const down = bayesianTest(a, b, { inverse: true });
    expect(down.chanceToWin).toBeCloseTo(1 - up.chanceToWin, 14);
    expect(down.risk).toEqual([up.risk[1], up.risk[0]]);
  });

  it("risk short-circuits beyond |μ/σ| = 37 and is continuous there", () => {
    expect(normalRisk(4, 0.1)).toEqual([4, 0]);
    expect(normalRisk(-4, 0.1)).toEqual([0, 4]);
    const [justInside] = normalRisk(3.69, 0.1);
    expect(justInside).toBeCloseTo(3.69, 12);
  });
});

describe("SRM", () => {
  it("check_srm([1000, 1200], [0.5, 0.5]) = 0.000020079", () => {
    const p = checkSrm([1000, 1200], [0.5, 0.5]);
    expectDigits(p, "0.000020079");
    expectRelative(p, vectors.SRM.pValue);
  });

  it("48/52 of 20,000 users is unhealthy, 50/50 healthy, too few users not enough traffic", () => {
    expect(srmHealth([9600, 10400], [0.5, 0.5]).health).toBe("unhealthy");
    expect(srmHealth([10000, 10000], [0.5, 0.5])).toEqual({ pValue: 1, health: "healthy" });
    expect(srmHealth([10, 5], [0.5, 0.5]).health).toBe("not-enough-traffic");
    expect(srmHealth([8, 8], [0.5, 0.5]).health).toBe("healthy");
  });

  it("skips variations weighted 0 and gives p = 1 without users", () => {
    // e = w/Σw·Σo over all users: the unweighted arm's users count in the total, not in χ²
    expect(checkSrm([500, 500, 0], [0.5, 0.5, 0])).toBeCloseTo(1, 14);
    expect(checkSrm([0, 0], [0.5, 0.5])).toBe(1);
  });
});

describe("CUPED", () => {
  const cuped = fixture("cuped.json") as {
    control: Omit<CupedStatistic, "kind">;
    treatment: Omit<CupedStatistic, "kind">;
    theta: number;
    adjusted: Record<"control" | "treatment", { mean: number; variance: number }>;
    absolute: Vector;
    relative: Vector;
    unadjustedAbsolute: Vector;
  };
  const control: CupedStatistic = { kind: "cuped", ...cuped.control };
  const treatment: CupedStatistic = { kind: "cuped", ...cuped.treatment };

  it("matches the NumPy hand computation (fixtures/make_fixtures.py)", () => {
    const adjusted = cupedAdjust(control, treatment);
    expectRelative(adjusted.theta, cuped.theta);
    for (const side of ["control", "treatment"] as const) {
      expectRelative(adjusted[side].mean, cuped.adjusted[side].mean);
      expectRelative(adjusted[side].variance, cuped.adjusted[side].variance);
    }
    for (const relative of [false, true]) {
      const r = welchTest(adjusted.control, adjusted.treatment, { relative });
      const want = relative ? cuped.relative : cuped.absolute;
      for (const [got, w] of [[r.estimate, want.effect], [r.se, want.se], [r.dof, want.dof!], [r.pValue, want.pValue], [r.ci[0], want.ci[0]], [r.ci[1], want.ci[1]]]) expectRelative(got, w);
    }
    expect(cuped.absolute.se).toBeLessThan(cuped.unadjustedAbsolute.se);
  });
});

describe("compareVariations", () => {
  it("joins the Welch test, the Bayesian read and the sequential CI", () => {
    const r = compareVariations(mean(1396.87, 52377.9767, 3407), mean(2422.7, 134698.29, 3461), { sequential: true });
    expect(r.relative).toBe(true);
    expectRelative(r.effect, vectors.F1.effect);
    expectRelative(r.pValue, vectors.F1.pValue);
    expectRelative(r.ci[1], vectors.F1.ci[1]);
    expectRelative(r.chanceToWin, normalSf(-vectors.F1.effect / vectors.F1.se));
    expect(r.sequential!.ci[0]).toBeLessThan(r.ci[0]);
    expect(r.error).toBeUndefined();

    const s1 = compareVariations(mean(1396.87, 52377.9767, 3000), mean(2422.7, 134698.29, 3461), { sequential: { tuning: 1000 } });
    expectRelative(s1.sequential!.ci[0], vectors.S1.ci[0]);
  });

  it("takes CUPED pairs, and lower-is-better metrics", () => {
    const cuped = fixture("cuped.json");
    const r = compareVariations({ kind: "cuped", ...cuped.control }, { kind: "cuped", ...cuped.treatment }, { relative: false });
    expectRelative(r.effect, cuped.absolute.effect);
    const latency = compareVariations(mean(1000, 10_100, 100), mean(900, 8_200, 100), { inverse: true, relative: false });
    expect(latency.effect).toBeCloseTo(-1, 12);
    expect(latency.chanceToWin).toBeGreaterThan(0.99);
    expect(latency.risk[0]).toBeGreaterThan(latency.risk[1]);
  });

  it("returns neutral figures with the reason when nothing can be estimated", () => {
    const r = compareVariations(prop(0, 500), prop(4, 500), { sequential: true });
    expect(r).toMatchObject({ effect: 0, pValue: 1, chanceToWin: 0.5, risk: [0, 0], sequential: { pValue: 1 } });
    expect(r.error).toMatch(/control mean is 0/);
    expect(compareVariations(prop(1, 1), prop(1, 2)).error).toMatch(/at least 2 units/);
    expect(() => compareVariations(prop(1, 10), mean(1, 1, 10))).toThrow(/proportion metric/);
  });
});
