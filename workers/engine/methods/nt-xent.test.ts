import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { ntXent, ntXentWithMemoryBank } from "./nt-xent";

beforeAll(async () => {
  await initBackend("cpu");
});

describe("ntXent", () => {
  it("matches a hand-computed value with identical views", () => {
    // z1 = z2 = [e1, e2], τ = 1. Row e1: positive sim 1, negatives e2 (0) and e2 (0):
    // ℓ = −log(e / (e + 1 + 1)) = log(1 + 2/e) = 0.551445; every row is the same by symmetry.
    const z = tf.tensor2d([[1, 0], [0, 1]]);
    expect(ntXent(z, z, 1).dataSync()[0]).toBeCloseTo(0.551445, 5);
  });

  it("matches a hand-computed value with distinct views and τ = 0.5", () => {
    // u = [e1, e2, p1 = (.6, .8), p2 = (.8, .6)]; positives e1↔p1, e2↔p2; s/τ = 2·(u_i·u_j).
    // row e1: others e2 0, p1 1.2 (pos), p2 1.6 → ℓ = −1.2 + log(1 + e^1.2 + e^1.6) = 1.027123
    // row e2: others e1 0, p1 1.6, p2 1.2 (pos) → ℓ = 1.027123
    // row p1: others e1 1.2 (pos), e2 1.6, p2 1.92 → ℓ = −1.2 + log(e^1.2 + e^1.6 + e^1.92) = 1.514304
    // row p2: same as p1 → 1.514304;  mean = (2·1.027123 + 2·1.514304)/4 = 1.270714
    const z1 = tf.tensor2d([[1, 0], [0, 1]]);
    const z2 = tf.tensor2d([[0.6, 0.8], [0.8, 0.6]]);
    expect(ntXent(z1, z2, 0.5).dataSync()[0]).toBeCloseTo(1.270714, 5);
  });

  it("normalizes its inputs (scaling an embedding changes nothing)", () => {
    const z1 = tf.tensor2d([[1, 0], [0, 1]]);
    const z2 = tf.tensor2d([[6, 8], [0.8, 0.6]]);
    expect(ntXent(z1, z2, 0.5).dataSync()[0]).toBeCloseTo(1.270714, 5);
  });
});

describe("ntXentWithMemoryBank", () => {
  it("matches a hand-computed value", () => {
    // q = e1, k = (.6, .8), bank = [e2, −e1], τ = 0.5 → logits [1.2 | 0, −2]
    // ℓ = −1.2 + log(e^1.2 + 1 + e^−2) = 0.294129
    const loss = ntXentWithMemoryBank(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.6, 0.8]]), tf.tensor2d([[0, 1], [-1, 0]]), 0.5);
    expect(loss.dataSync()[0]).toBeCloseTo(0.294129, 5);
  });
});
