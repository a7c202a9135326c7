import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { Rng } from "../rng";
import type { Features } from "./features";
import { stratifiedFolds, stratifiedHoldout } from "./holdout";
import { knnClassify } from "./knn";
import { linearProbe } from "./linear-probe";
import { softmaxLogits, trainSoftmaxRegression } from "./softmax-regression";
import { accuracy, meanStd } from "./stats";
import { parseEvalSuite } from "./suite";

beforeAll(async () => {
  await initBackend("cpu");
});

const PROBE = { l2Grid: [1e-3, 1e-1], lr: 0.05, batchSize: 256, epochs: 50, minSteps: 300, maxSteps: 600, validationFraction: 0.2, cvFolds: 5, cvMaxRows: 10_000, seed: 0 };

describe("softmax regression", () => {
  it("matches the hand-computed L2-regularized optimum on two points", () => {
    // x = +1 → class 1, x = −1 → class 0, λ = 0.1. By symmetry the biases stay 0 and W = [[−a, a]],
    // so the logit gap is 2a·x and the objective is log(1 + e^{−2a}) + (λ/2)·2a² = log(1 + e^{−2a}) + 0.1a².
    // Its derivative −2/(1 + e^{2a}) + 0.2a = 0 ⇔ a(1 + e^{2a}) = 10 ⇒ a = 1.06402 (bisection),
    // so P(class 1 | x = 1) = σ(2a) = 1/(1 + e^{−2.12803}) = 0.89360.
    const x = tf.tensor2d([[1], [-1]]);
    const model = trainSoftmaxRegression({ data: Float32Array.from([1, -1]), n: 2, d: 1 }, Int32Array.from([1, 0]), { numClasses: 2, l2: 0.1, lr: 0.05, batchSize: 2, steps: 3000, seed: 0 });
    const w = model.w.arraySync();
    const p = tf.tidy(() => tf.softmax(softmaxLogits(model, x)).arraySync());
    expect(w[0][1]).toBeCloseTo(1.06402, 3);
    expect(w[0][0]).toBeCloseTo(-1.06402, 3);
    expect(p[0][1]).toBeCloseTo(0.8936, 3);
    expect(p[1][0]).toBeCloseTo(0.8936, 3);
    model.dispose();
    x.dispose();
  });
});

describe("weighted kNN", () => {
  // memory (unit vectors): (1,0)→0, (0.8,0.6)→1, (0.6,0.8)→1, (−1,0)→0; query (1,0), k = 3.
  // cosines 1, 0.8, 0.6 (−1 is not among the 3 nearest).
  // τ = 0.1: votes class 0: e^10 = 22026; class 1: e^8 + e^6 = 2981 + 403 = 3384 → class 0.
  // τ = 1:   votes class 0: e^1 = 2.718; class 1: e^0.8 + e^0.6 = 2.226 + 1.822 = 4.048 → class 1.
  // query (0,1): cosines 0, 0.6, 0.8, 0 → nearest 0.8 (1), 0.6 (1), 0 (0) → class 1 for either τ.
  const memory: Features = { data: Float32Array.from([1, 0, 0.8, 0.6, 0.6, 0.8, -1, 0]), n: 4, d: 2 };
  const labels = Int32Array.from([0, 1, 1, 0]);
  const queries: Features = { data: Float32Array.from([2, 0, 0, 3]), n: 2, d: 2 }; // norms do not matter

  it("lets a very close neighbour outvote two farther ones at a low temperature", async () => {
    expect([...(await knnClassify(memory, labels, queries, { k: 3, temperature: 0.1, numClasses: 2 }))]).toEqual([0, 1]);
  });

  it("follows the majority at a high temperature", async () => {
    expect([...(await knnClassify(memory, labels, queries, { k: 3, temperature: 1, numClasses: 2 }))]).toEqual([1, 1]);
  });
});

/** n samples of 10 balanced classes; features = signal·onehot(label) + N(0, 1) noise in d dims. */
function synthetic(n: number, d: number, signal: number, seed: number): { f: Features; labels: Int32Array } {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const data = rng.normals(n * d);
  for (let i = 0; i < n; i++) data[i * d + labels[i]] += signal;
  return { f: { data, n, d }, labels };
}

describe("protocols on frozen features", () => {
  it("score near chance (10 %) on an encoder that outputs noise, and well above it on informative features", async () => {
    const train = synthetic(1000, 32, 0, 1);
    const test = synthetic(1000, 32, 0, 2);
    const probe = await linearProbe(train.f, train.labels, test.f, test.labels, { ...PROBE, numClasses: 10 });
    const knn = accuracy(await knnClassify(train.f, train.labels, test.f, { k: 20, temperature: 0.07, numClasses: 10 }), test.labels);
    // 1000 test samples: a chance-level accuracy has std ≈ √(0.1·0.9/1000) ≈ 0.0095.
    expect(probe.accuracy).toBeGreaterThan(0.05);
    expect(probe.accuracy).toBeLessThan(0.16);
    expect(knn).toBeGreaterThan(0.05);
    expect(knn).toBeLessThan(0.16);

    const informativeTrain = synthetic(1000, 32, 3, 3);
    const informativeTest = synthetic(1000, 32, 3, 4);
    const good = await linearProbe(informativeTrain.f, informativeTrain.labels, informativeTest.f, informativeTest.labels, { ...PROBE, numClasses: 10 });
    expect(good.accuracy).toBeGreaterThan(0.85);
  });
});

describe("labeled subsets", () => {
  it("hold out a stratified validation split that keeps class proportions", () => {
    // classes 0..3 with 100, 200, 300, 400 members; 10 % per class → 10, 20, 30, 40 held out.
    const labels = Int32Array.from([0, 1, 2, 3].flatMap((c) => Array<number>(100 * (c + 1)).fill(c)));
    const { fit, val } = stratifiedHoldout(labels, 0.1, 7);
    const count = (rows: Int32Array, c: number) => [...rows].filter((r) => labels[r] === c).length;
    expect([0, 1, 2, 3].map((c) => count(val, c))).toEqual([10, 20, 30, 40]);
    expect(fit.length + val.length).toBe(1000);
    expect(new Set([...fit, ...val]).size).toBe(1000);
  });

  it("deal k stratified folds: each row validates exactly once and every fold keeps the class proportions", () => {
    // classes of 50, 100, 150 rows into 5 folds → 10, 20, 30 per fold; 3 rows of a 4th class → folds of 1, 1, 1, 0, 0 rows of it.
    const labels = Int32Array.from([...Array<number>(50).fill(0), ...Array<number>(100).fill(1), ...Array<number>(150).fill(2), 3, 3, 3]);
    const folds = stratifiedFolds(labels, 5, 3);
    const count = (rows: Int32Array, c: number) => [...rows].filter((r) => labels[r] === c).length;
    for (const { fit, val } of folds) {
      expect([0, 1, 2].map((c) => count(val, c))).toEqual([10, 20, 30]);
      expect(fit.length + val.length).toBe(labels.length);
      expect(fit.some((r) => val.includes(r))).toBe(false);
    }
    expect(folds.map(({ val }) => count(val, 3)).sort()).toEqual([0, 0, 1, 1, 1]);
    expect(folds.flatMap(({ val }) => [...val]).sort((a, b) => a - b)).toEqual([...labels.keys()]);
    expect(() => stratifiedFolds(labels, 1, 0)).toThrow(/folds must be an integer ≥ 2, got 1/);
  });
});

describe("suite config and statistics", () => {
  it("names the offending field", () => {
    expect(() => parseEvalSuite({ dataset: { kind: "fashion-mnist" }, fractions: [0.1, 1.5] })).toThrow(/fractions\.1: must be <= 1/);
    expect(() => parseEvalSuite({ dataset: { kind: "fashion-mnist" }, knn: { k: [0] } })).toThrow(/knn\.k\.0/);
    expect(() => parseEvalSuite({ dataset: { kind: "fashion-mnist" }, protocols: ["linear"] })).toThrow(/protocols\.0/);
  });

  it("computes mean and sample std", () => {
    // values 0.8, 0.82, 0.84: mean 0.82, squared deviations 0.0004 + 0 + 0.0004 → variance 0.0008/2 → std 0.02
    const s = meanStd([0.8, 0.82, 0.84]);
    expect(s.mean).toBeCloseTo(0.82, 10);
    expect(s.std).toBeCloseTo(0.02, 10);
    expect(s.n).toBe(3);
  });
});
