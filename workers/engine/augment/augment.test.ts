import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { Rng } from "../rng";
import { augmentSchema, makeAugmenter } from "./augmenter";
import { cutout } from "./cutout";
import { featureCorruption } from "./feature-corruption";
import { horizontalFlip } from "./horizontal-flip";
import { patchMask } from "./patch-mask";
import { randomResizedCrop } from "./random-resized-crop";

beforeAll(async () => {
  await initBackend("cpu");
});

const images = (n: number) => tf.tensor4d(new Rng(1).normals(n * 8 * 8).map((v) => Math.abs(v) / 4), [n, 8, 8, 1]);

describe("augmentations", () => {
  it("are the identity at strength 0 and change the batch at strength 1", () => {
    const x = images(4);
    const augment = makeAugmenter("image", augmentSchema.parse({ cutout: 1 }));
    expect(Array.from(augment(x, 0, new Rng(2)).dataSync())).toEqual(Array.from(x.dataSync()));
    const y = augment(x, 1, new Rng(2));
    expect(y.shape).toEqual([4, 8, 8, 1]);
    expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBeGreaterThan(0.01);
    expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(y).dataSync()[0]).toBeLessThanOrEqual(1);
  });

  it("are reproducible from the RNG state", () => {
    const x = images(3);
    const augment = makeAugmenter("image", augmentSchema.parse({}));
    expect(Array.from(augment(x, 1, new Rng(9)).dataSync())).toEqual(Array.from(augment(x, 1, new Rng(9)).dataSync()));
  });

  it("flip mirrors columns, crop keeps the shape, cutout zeroes a square", () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(Array.from(horizontalFlip(x, 2, new Rng(1)).dataSync())).toEqual([2, 1, 4, 3]); // p = 0.5·2 = 1
    expect(randomResizedCrop(images(2), 1, new Rng(1)).shape).toEqual([2, 8, 8, 1]);
    const ones = tf.ones([1, 8, 8, 1]) as tf.Tensor4D;
    expect(tf.sum(cutout(ones, 1, new Rng(4))).dataSync()[0]).toBeLessThan(64); // up to a 4×4 hole
  });

  it("feature corruption replaces a fraction of features by values of the same column", () => {
    const n = 200;
    const f = 5;
    // column j holds values 1000·j + row, so a replacement's column is recognisable
    const x = tf.tensor2d(Float32Array.from({ length: n * f }, (_, i) => 1000 * (i % f) + Math.floor(i / f)), [n, f]);
    const y = featureCorruption(x, 0.6, new Rng(3)).arraySync();
    let changed = 0;
    y.forEach((row, r) =>
      row.forEach((v, j) => {
        expect(Math.floor(v / 1000)).toBe(j); // drawn from column j's marginal
        if (v !== 1000 * j + r) changed++;
      }),
    );
    expect(changed / (n * f)).toBeGreaterThan(0.5); // ≈ 0.6·(1 − 1/n)
    expect(changed / (n * f)).toBeLessThan(0.7);
  });

  it("patch masks hide exactly round(ratio · patches) patches per sample", () => {
    const mask = patchMask(3, [28, 28, 1], 7, 0.75, new Rng(1)); // 16 patches → 12 masked
    const perSample = tf.sum(mask, [1, 2, 3]).dataSync();
    expect(Array.from(perSample)).toEqual([12 * 49, 12 * 49, 12 * 49]);
    expect(Array.from(tf.sum(patchMask(2, [10], 1, 0.3, new Rng(1)), 1).dataSync())).toEqual([3, 3]);
  });
});
