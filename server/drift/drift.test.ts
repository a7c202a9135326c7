import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifierDrift, rocAuc } from "./classifier";
import { ks2samp, ksExactPValue, kolmogorovSurvival } from "./ks";
import { medianHeuristicSigma, mmdTest, type Samples } from "./mmd";
import { psi, psiFromShares } from "./psi";
import { detectDrift } from "./detect";
import { featureSummaries, inputFeatures, summarizeInputs } from "./input-features";
import { permutation, seededRandom } from "@/server/random";

const fixture = JSON.parse(readFileSync("server/drift/fixtures/mmd-fixture.json", "utf8")) as {
  cases: { name: string; dim: number; x: number[]; y: number[]; sigma: number; mmd2: number }[];
};
const samples = (values: number[], dim: number): Samples => ({ data: Float32Array.from(values), rows: values.length / dim, dim });

/** Standard normal draws (Box–Muller) from a seeded generator. */
function normals(count: number, seed: number, shift = 0): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) + shift);
}

describe("MMD (Alibi Detect's definition)", () => {
  it.each(fixture.cases)("matches NumPy on '$name': sigma by the median heuristic and MMD²", (c) => {
    const x = samples(c.x, c.dim);
    const y = samples(c.y, c.dim);
    expect(medianHeuristicSigma(x)).toBeCloseTo(c.sigma, 5);
    expect(mmdTest(x, y, { permutations: 0 }).mmd2).toBeCloseTo(c.mmd2, 5);
  });

  it("computes each permuted statistic as MMD² of the permuted split", () => {
    const c = fixture.cases[1];
    const x = samples(c.x, c.dim);
    const y = samples(c.y, c.dim);
    const perm = permutation(x.rows + y.rows, seededRandom(7));
    const pooled = [...c.x, ...c.y];
    const pick = (ids: Int32Array) => samples(Array.from(ids).flatMap((i) => pooled.slice(i * c.dim, (i + 1) * c.dim)), c.dim);
    const direct = mmdTest(pick(perm.subarray(0, x.rows)), pick(perm.subarray(x.rows)), { permutations: 0, sigma: c.sigma }).mmd2;
    // with one permutation, the threshold is that permutation's statistic
    expect(mmdTest(x, y, { permutations: 1, seed: 7, sigma: c.sigma }).threshold).toBeCloseTo(direct, 6);
  });

  it("finds no drift between samples of one distribution and finds a shift", () => {
    const dim = 8;
    const ref = samples(normals(200 * dim, 1), dim);
    const same = mmdTest(ref, samples(normals(200 * dim, 2), dim), { seed: 3 });
    const shifted = mmdTest(ref, samples(normals(200 * dim, 4, 0.5), dim), { seed: 3 });
    expect(same.pValue).toBeGreaterThan(0.05);
    expect(shifted.pValue).toBe(0);
    expect(shifted.mmd2).toBeGreaterThan(shifted.threshold);
    expect(mmdTest(ref, samples(normals(200 * dim, 4, 0.5), dim), { seed: 3 })).toEqual(shifted); // repeatable from its seed
  });
});

describe("PSI (Evidently's formula)", () => {
  it("gives the worked values", () => {
    expect(psiFromShares([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(0.040547, 6);
    expect(psiFromShares([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.228217, 6);
  });
  it("is about 0 for the same distribution and grows with a shift, on reference quantile bins", () => {
    const ref = normals(5000, 11);
    expect(psi(ref, normals(5000, 12))).toBeLessThan(0.025); // well under 0.1, the "insignificant" level
    expect(psi(ref, normals(5000, 13, 0.5))).toBeGreaterThan(0.2);
  });
});

const ksFixture = JSON.parse(readFileSync("server/drift/fixtures/ks-fixture.json", "utf8")) as {
  cases: { name: string; n: number; m: number; mode: "exact" | "asymp"; statistic: number; pValue: number; x?: number[]; y?: number[] }[];
};

describe("two-sample KS (scipy's ks_2samp)", () => {
  it.each(ksFixture.cases.filter((c) => c.mode === "exact"))("matches scipy exactly on '$name'", (c) => {
    const r = ks2samp(c.x!, c.y!);
    expect(r.method).toBe("exact");
    expect(r.statistic).toBeCloseTo(c.statistic, 12);
    expect(r.pValue).toBeCloseTo(c.pValue, 10);
    expect(Math.abs(r.pValue - c.pValue) / c.pValue).toBeLessThan(1e-6);
  });
  it.each(ksFixture.cases.filter((c) => c.mode === "asymp"))("is within 2 % of scipy's asymptotic p-value on '$name'", (c) => {
    const z = c.statistic * (Math.sqrt((c.n * c.m) / (c.n + c.m)) + 0.12 + 0.11 / Math.sqrt((c.n * c.m) / (c.n + c.m)));
    expect(Math.abs(kolmogorovSurvival(z) - c.pValue) / c.pValue).toBeLessThan(0.02);
  });
  it("uses the asymptotic form beyond 10,000 samples", () => {
    const big = normals(10_001, 5);
    expect(ks2samp(big, normals(200, 6)).method).toBe("asymp");
    expect(ksExactPValue(0.5, 2, 4)).toBeCloseTo(14 / 15, 12);
  });
});

describe("domain-classifier AUC", () => {
  it("computes ROC AUC as scikit-learn does, ties counted half", () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12); // sklearn's roc_auc_score example
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
  });
  it("is about 0.5 without drift and well above Evidently's 0.55 with a shift", () => {
    const dim = 8;
    const ref = samples(normals(400 * dim, 21), dim);
    expect(classifierDrift(ref, samples(normals(400 * dim, 22), dim)).auc).toBeLessThan(0.55);
    expect(classifierDrift(ref, samples(normals(400 * dim, 23, 0.3), dim)).auc).toBeGreaterThan(0.7);
  });
});

describe("a window's tests together", () => {
  it("store each test's figures and flag the tests past their thresholds", () => {
    const dim = 4;
    const ref = samples(normals(300 * dim, 31), dim);
    const same = detectDrift(ref, samples(normals(200 * dim, 32), dim), ["mmd", "ks", "psi", "classifier"], 1);
    expect(Object.keys(same.figures).sort()).toEqual(["classifier.auc", "ks.drifted_share", "ks.p_value", "mmd.p_value", "mmd.statistic", "psi.drifted_share", "psi.max", "psi.mean"]);
    expect(same.flagged).toEqual([]);
    const shifted = detectDrift(ref, samples(normals(200 * dim, 33, 1), dim), ["mmd", "ks", "psi", "classifier"], 1);
    expect(shifted.flagged).toEqual(["mmd", "ks", "psi", "classifier"]);
    expect(shifted.figures["ks.p_value"]).toBeLessThan(0.05);
    expect(shifted.figures["ks.drifted_share"]).toBe(1);
    expect(detectDrift(ref, samples(normals(200 * dim, 34), dim), ["psi"], 1).figures).not.toHaveProperty("mmd.p_value");
  });
});

describe("inputs as the drift tests see them", () => {
  it("summarize every value: mean, std and the share missing", () => {
    const s = summarizeInputs(Float32Array.from([1, 3, NaN, 5]));
    expect([s.mean, s.missingRate]).toEqual([3, 0.25]);
    expect(s.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
  });

  it("reduce an image to its mean, std and a 4×4 grid of cell means, in either layout", () => {
    // a 4×4 one-channel image 0..15: each grid cell is one pixel
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    const nhwc = inputFeatures(image, 1, { shape: [4, 4, 1], layout: "nhwc" });
    expect(nhwc.dim).toBe(18);
    expect(nhwc.data[0]).toBeCloseTo(7.5, 6);
    expect(nhwc.data[1]).toBeCloseTo(Math.sqrt(21.25), 5);
    expect(Array.from(nhwc.data.subarray(2))).toEqual(Array.from(image));
    // two channels, channel-first: cell means average both
    const nchw = inputFeatures(Float32Array.from([...image, ...image.map((v) => v + 2)]), 1, { shape: [2, 4, 4], layout: "nchw" });
    expect(Array.from(nchw.data.subarray(2, 4))).toEqual([1, 2]);
  });

  it("keep up to 32 features as they are and project longer vectors to 32, the same way every time", () => {
    const short = inputFeatures(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, { shape: [3], layout: "flat" });
    expect([short.dim, Array.from(short.data)]).toEqual([3, [1, 2, 3, 4, 5, 6]]);
    const long = Float32Array.from({ length: 2 * 100 }, (_, i) => i % 7);
    const a = inputFeatures(long, 2, { shape: [100], layout: "flat" });
    expect(a.dim).toBe(32);
    expect(Array.from(a.data)).toEqual(Array.from(inputFeatures(long, 2, { shape: [100], layout: "flat" }).data));
  });
});

describe("per-feature summaries of inputs", () => {
  it("give each vector feature's mean, std and missing share", () => {
    const { names, stats } = featureSummaries(Float32Array.from([1, 10, 3, NaN, 5, 30]), 3, { shape: [2], layout: "flat" });
    expect(names).toEqual(["feature 0", "feature 1"]);
    expect(stats.mean).toEqual([3, 20]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(stats.std[1]).toBeCloseTo(10, 12);
    expect(stats.missing[0]).toBe(0);
    expect(stats.missing[1]).toBeCloseTo(1 / 3, 12);
  });

  it("give images' intensity and grid cells, with missing pixels counted per cell", () => {
    const a = Float32Array.from({ length: 16 }, (_, i) => i);
    const b = Float32Array.from({ length: 16 }, (_, i) => (i === 0 ? NaN : 2 * i));
    const { names, stats } = featureSummaries(Float32Array.from([...a, ...b]), 2, { shape: [4, 4, 1], layout: "nhwc" });
    expect(names.slice(0, 3)).toEqual(["intensity mean", "intensity std", "cell 0,0 mean"]);
    expect(names).toHaveLength(18);
    expect(stats.mean[3]).toBe(1.5); // cell 0,1: pixel 1 of a (1) and of b (2)
    expect(stats.missing[0]).toBeCloseTo(1 / 32, 12);
    expect(stats.missing[2]).toBe(0.5); // cell 0,0: one of its two pixels missing
    expect(stats.missing[3]).toBe(0);
  });
});
