import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { collapseWarnings, embeddingHealth, healthSchema } from "./health";
import { Rng } from "./rng";

beforeAll(async () => {
  await initBackend("cpu");
});

const thresholds = healthSchema.parse({});

describe("embeddingHealth", () => {
  it("rates isotropic Gaussian embeddings as healthy", async () => {
    const rng = new Rng(5);
    const n = 512;
    const d = 16;
    const z = tf.tensor2d(rng.normals(n * d), [n, d]);
    const zPos = tf.add(z, tf.tensor2d(rng.normals(n * d, 0.1), [n, d])) as tf.Tensor2D;
    const h = await embeddingHealth(z, zPos);
    expect(h.stdRatio).toBeGreaterThan(0.9); // each normalized coordinate has std ≈ 1/√d
    expect(h.effectiveRank).toBeGreaterThan(0.9 * d);
    expect(h.effectiveRank).toBeLessThanOrEqual(d + 1e-6);
    expect(h.alignment).toBeLessThan(0.05); // close positives
    expect(h.uniformity).toBeLessThan(-3); // for the uniform sphere in R^16 it approaches −4
    expect(collapseWarnings(h, thresholds)).toEqual([]);
  });

  it("flags fully collapsed embeddings", async () => {
    const n = 64;
    const z = tf.tile(tf.tensor2d([[0.3, -1, 2, 0.5]]), [n, 1]) as tf.Tensor2D; // every sample the same point
    const h = await embeddingHealth(z, z);
    expect(h.stdRatio).toBeLessThan(1e-3);
    expect(h.effectiveRank).toBeCloseTo(1, 5);
    expect(h.alignment).toBeCloseTo(0, 6);
    expect(h.uniformity).toBeCloseTo(0, 5);
    const warnings = collapseWarnings(h, thresholds);
    expect(warnings).toHaveLength(3);
    expect(warnings.join(" ")).toMatch(/std ratio.*effective rank.*uniformity/);
  });

  it("measures dimensional collapse as a low effective rank", async () => {
    // embeddings in a 2-D subspace of R^32 with equal variance: effective rank ≈ 2
    const rng = new Rng(9);
    const n = 400;
    const basis = tf.tensor2d(rng.normals(2 * 32), [2, 32]);
    const q = tf.linalg.gramSchmidt(basis) as tf.Tensor2D;
    const z = tf.matMul(tf.tensor2d(rng.normals(n * 2), [n, 2]), q) as tf.Tensor2D;
    const h = await embeddingHealth(z, z);
    expect(h.effectiveRank).toBeGreaterThan(1.8);
    expect(h.effectiveRank).toBeLessThan(2.2);
    expect(collapseWarnings(h, { ...thresholds, minEffectiveRank: 4 })).toEqual([expect.stringMatching(/effective rank/)]);
  });
});
