import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { iterateBatches } from "./batches";
import type { Dataset } from "./dataset";
import { makeSplits } from "./splits";

/** 1000 unbalanced samples: class c has (c + 1)·(1000/55) ≈ 18…182 members; value = index. */
function syntheticDataset(withTest: boolean): Dataset {
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) for (let i = 0; i < Math.round(((c + 1) * 1000) / 55); i++) labels.push(c);
  const n = labels.length;
  return {
    descriptor: { name: "synthetic", kind: "tabular", checksum: "x", count: n, shape: [1], hasLabels: true },
    train: { x: Float32Array.from({ length: n }, (_, i) => i), labels: Int32Array.from(labels), count: n },
    test: withTest ? { x: new Float32Array(10), labels: new Int32Array(10), count: 10 } : null,
  };
}

beforeAll(async () => {
  await initBackend("cpu");
});

const proportions = (labels: Int32Array) => {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts.map((c) => c / labels.length);
};

describe("splits", () => {
  it("a stratified labeled subset keeps the class proportions", () => {
    const ds = syntheticDataset(true);
    const splits = makeSplits(ds, { seed: 1 });
    const full = proportions(ds.train.labels!);
    for (const fraction of [0.1, 0.5]) {
      const subset = splits.labeled(fraction, 7);
      expect(subset.indices.length).toBeCloseTo(fraction * ds.train.count, -1);
      proportions(subset.labels).forEach((p, c) => expect(Math.abs(p - full[c])).toBeLessThan(0.01));
      expect(Array.from(subset.labels)).toEqual(Array.from(subset.indices, (i) => ds.train.labels![i]));
    }
  });

  it("keeps every class at tiny fractions, and is seeded", () => {
    const splits = makeSplits(syntheticDataset(true), { seed: 1 });
    const tiny = splits.labeled(0.001, 3);
    expect(new Set(tiny.labels).size).toBe(10);
    expect(Array.from(splits.labeled(0.1, 3).indices)).toEqual(Array.from(splits.labeled(0.1, 3).indices));
    expect(Array.from(splits.labeled(0.1, 3).indices)).not.toEqual(Array.from(splits.labeled(0.1, 4).indices));
    expect(() => splits.labeled(0, 1)).toThrow(/label fraction must be in \(0, 1\]/);
  });

  it("holds out a stratified test part when the dataset has none, disjoint from the pool", () => {
    const ds = syntheticDataset(false);
    const splits = makeSplits(ds, { seed: 2, testFraction: 0.2 });
    const test = splits.test!;
    expect(test.indices.length + splits.unlabeled.indices.length).toBe(ds.train.count);
    const pool = new Set(splits.unlabeled.indices);
    expect(Array.from(test.indices).some((i) => pool.has(i))).toBe(false);
    proportions(test.labels).forEach((p, c) => expect(Math.abs(p - proportions(ds.train.labels!)[c])).toBeLessThan(0.01));
    expect("labels" in splits.unlabeled).toBe(false); // the pool hides labels
  });

  it("iterates seeded shuffled batches covering each sample once per epoch", () => {
    const splits = makeSplits(syntheticDataset(true), { seed: 1 });
    const seen: number[] = [];
    for (const batch of iterateBatches(splits.unlabeled, 100, 5, 0)) {
      expect(batch.shape).toEqual([100, 1]);
      seen.push(...(batch.dataSync() as Float32Array));
      tf.dispose(batch);
    }
    expect(seen).toHaveLength(Math.floor(splits.unlabeled.indices.length / 100) * 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 5)).not.toEqual([0, 1, 2, 3, 4]);
    const again = iterateBatches(splits.unlabeled, 100, 5, 0).next().value!;
    expect(Array.from(again.dataSync())).toEqual(seen.slice(0, 100));
  });
});
