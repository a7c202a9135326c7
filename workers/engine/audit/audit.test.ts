import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import type { Dataset } from "../data/dataset";
import type { Features } from "../eval/features";
import { Rng } from "../rng";
import { classBalance } from "./class-balance";
import { auc, domainClassifierAuc } from "./domain-classifier";
import { mmdRbf } from "./mmd";
import { auditDataset, auditOptionsSchema } from "./run-audit";

beforeAll(async () => {
  await initBackend("cpu");
});

const SIZE = 8 * 8;

/** Random 8×8 "images" (uint8), each a distinct noise pattern. */
function images(count: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: count * SIZE }, () => rng.int(256));
}

/**
 * 200 train / 50 test images with planted problems:
 *  - train 10 is an exact copy of train 3, and train 11 of train 4 (2 redundant samples);
 *  - train 20 is train 5 with a few pixels changed by ±1 (a near duplicate, not exact);
 *  - test 7 is an exact copy of train 42 (exact overlap), test 8 a ±1-pixel edit of train 43 (near overlap).
 */
function plantedDataset(): Dataset {
  const rng = new Rng(11);
  const train = images(200, rng);
  const test = images(50, rng);
  const copy = (dst: Uint8Array, di: number, src: Uint8Array, si: number) => dst.set(src.subarray(si * SIZE, (si + 1) * SIZE), di * SIZE);
  copy(train, 10, train, 3);
  copy(train, 11, train, 4);
  copy(train, 20, train, 5);
  for (const p of [0, 9, 30]) train[20 * SIZE + p] = train[5 * SIZE + p] > 0 ? train[5 * SIZE + p] - 1 : 1;
  copy(test, 7, train, 42);
  copy(test, 8, train, 43);
  test[8 * SIZE + 17] = train[43 * SIZE + 17] > 0 ? train[43 * SIZE + 17] - 1 : 1;
  const labels = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 4);
  return {
    descriptor: { name: "planted", kind: "image", checksum: "0", count: 250, shape: [8, 8, 1], hasLabels: true, classNames: ["a", "b", "c", "d"] },
    train: { x: train, labels: labels(200), count: 200 },
    test: { x: test, labels: labels(50), count: 50 },
  };
}

describe("dataset audit", () => {
  it("finds the planted exact and near duplicates and the train/test overlap", async () => {
    const report = await auditDataset(plantedDataset(), auditOptionsSchema.parse({ dataset: { kind: "fashion-mnist" }, nearThreshold: 0.99, domainSamples: 40 }));
    expect(report.features).toBe("raw");
    expect(report.exactDuplicates.train).toMatchObject({ redundant: 2, groups: 2, examples: [[3, 10], [4, 11]] });
    expect(report.exactDuplicates.test?.redundant).toBe(0);
    expect(report.nearDuplicates.train?.pairs).toBe(1);
    expect(report.nearDuplicates.train?.examples[0]).toMatchObject({ a: 5, b: 20 });
    expect(report.nearDuplicates.test?.pairs).toBe(0);
    expect(report.trainTestOverlap?.exact).toEqual({ count: 1, examples: [{ test: 7, train: 42 }] });
    expect(report.trainTestOverlap?.near.count).toBe(1);
    expect(report.trainTestOverlap?.near.examples[0]).toMatchObject({ test: 8, train: 43 });
    expect(report.classBalance?.train.counts).toEqual([50, 50, 50, 50]);
    expect(report.domainGap?.target).toBe("planted/test");
  });
});

describe("class balance", () => {
  it("reports counts, imbalance ratio and normalized entropy", () => {
    // counts [1, 3] of 4: ratio 3; entropy −(¼ ln ¼ + ¾ ln ¾) = 0.5623, / ln 2 = 0.8113
    const b = classBalance(Int32Array.from([0, 1, 1, 1]), 2);
    expect(b.counts).toEqual([1, 3]);
    expect(b.imbalanceRatio).toBe(3);
    expect(b.normalizedEntropy).toBeCloseTo(0.8113, 4);
  });
});

function gaussian(n: number, d: number, shift: number, seed: number): Features {
  const data = new Rng(seed).normals(n * d);
  for (let i = 0; i < n; i++) data[i * d] += shift;
  return { data, n, d };
}

describe("domain gap", () => {
  it("MMD² is ≈ 0 for samples of one distribution and clearly positive for a shifted one", () => {
    const same = mmdRbf(gaussian(300, 5, 0, 1), gaussian(300, 5, 0, 2));
    const shifted = mmdRbf(gaussian(300, 5, 0, 1), gaussian(300, 5, 1.5, 3));
    expect(Math.abs(same.mmd2)).toBeLessThan(0.01);
    expect(shifted.mmd2).toBeGreaterThan(0.05);
    expect(shifted.mmd2).toBeGreaterThan(10 * Math.abs(same.mmd2));
  });

  it("MMD² matches a hand computation on two points per side", () => {
    // x = {0, 1}, y = {2, 3} in 1-D. Pairwise squared distances of {0,1,2,3}: 1,4,9,1,4,1 → median
    // (6 values, upper middle) = 4 → σ = 2, k = exp(−d²/8).
    // xx = k(0,1) = e^{−1/8}; yy = k(2,3) = e^{−1/8}; xy = mean of k(0,2), k(0,3), k(1,2), k(1,3)
    //    = (e^{−4/8} + e^{−9/8} + e^{−1/8} + e^{−4/8}) / 4.
    // MMD² = 2e^{−1/8} − 2·xy = 1.764994 − 2·(0.606531 + 0.324652 + 0.882497 + 0.606531)/4 = 0.554889.
    const r = mmdRbf({ data: Float32Array.from([0, 1]), n: 2, d: 1 }, { data: Float32Array.from([2, 3]), n: 2, d: 1 });
    expect(r.bandwidth).toBeCloseTo(2, 6);
    expect(r.mmd2).toBeCloseTo(0.554889, 5);
  });

  it("AUC of a domain classifier is ≈ 0.5 without a gap and near 1 with one", async () => {
    // hand check of the AUC itself: positives {0.9, 0.4}, negatives {0.5, 0.1}: of 4 pairs, 3 are
    // ordered right (0.9>0.5, 0.9>0.1, 0.4>0.1) → 0.75
    expect(auc([0.9, 0.4], [0.5, 0.1])).toBe(0.75);
    expect(auc([1, 1], [1, 1])).toBe(0.5);
    const none = await domainClassifierAuc(gaussian(400, 5, 0, 4), gaussian(400, 5, 0, 5), 0);
    const gap = await domainClassifierAuc(gaussian(400, 5, 0, 4), gaussian(400, 5, 2, 6), 0);
    expect(Math.abs(none - 0.5)).toBeLessThan(0.1);
    expect(gap).toBeGreaterThan(0.85);
  });
});
