/** The data-parallel encoder gives the same outputs and gradients as the encoder in one thread. */
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildEncoder, type Encoder, type EncoderConfig } from "../../models/encoder";
import { ParamSet } from "../../models/param-set";
import { Rng } from "../../rng";
import { initBackend } from "../index";
import { ShardedEncoder } from "./sharded-encoder";

const CFG: EncoderConfig = { kind: "cnn", channels: [4, 8], embeddingDim: 6 };
const SHAPE = [8, 8, 1];
let params: ParamSet;
let local: Encoder;
let sharded: ShardedEncoder;

beforeAll(async () => {
  await initBackend("wasm");
  params = new ParamSet();
  local = buildEncoder(CFG, SHAPE, params, "encoder", new Rng(3));
  sharded = await ShardedEncoder.start(CFG, SHAPE, params, { workers: 2 });
});
afterAll(async () => {
  await sharded?.close();
  params?.dispose();
});

/** Couples every row with every other, as contrastive losses do, so shards cannot be scored alone. */
const coupledLoss = (z: tf.Tensor2D) => tf.mean(tf.logSumExp(tf.matMul(z, z, false, true), 1)) as tf.Scalar;

function lossAndGrads(encoder: Encoder, x: tf.Tensor) {
  const vars = params.entries().map(([, v]) => v);
  const { value, grads } = tf.variableGrads(() => coupledLoss(encoder.apply(x)), vars);
  return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync()), dispose: () => tf.dispose([value, ...Object.values(grads)]) };
}

function expectSameLoss(x: tf.Tensor) {
  const expected = lossAndGrads(local, x);
  const got = lossAndGrads(sharded, x);
  expect(got.loss).toBeCloseTo(expected.loss, 5);
  got.dispose();
  expected.dispose();
}

it("matches the single-thread loss and gradients, on uneven shards, leaking nothing", () => {
  for (const rows of [7, 1]) {
    const x = tf.randomUniform([rows, ...SHAPE], 0, 1, "float32", rows);
    const expected = lossAndGrads(local, x);
    const tensorsBefore = tf.memory().numTensors;
    const got = lossAndGrads(sharded, x);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    got.grads.forEach((g, i) => {
      const err = Math.max(...g.map((v, j) => Math.abs(v - expected.grads[i][j])));
      expect(err).toBeLessThan(1e-5);
    });
    got.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expected.dispose();
    x.dispose();
  }
});

it("follows parameter updates, and serves a pass whose gradient is never asked for", () => {
  const x = tf.randomUniform([4, ...SHAPE], 0, 1, "float32", 11);
  const [, first] = params.entries()[0];
  tf.tidy(() => first.assign(tf.mul(first, 1.5)));
  tf.tidy(() => {
    expect(Math.max(...tf.abs(tf.sub(sharded.apply(x), local.apply(x))).dataSync())).toBeLessThan(1e-5);
  });
  expectSameLoss(x);
  tf.dispose(x);
});

it("refuses two encoder calls in one loss, naming the fix", () => {
  const x = tf.randomUniform([4, ...SHAPE], 0, 1, "float32", 5);
  const vars = params.entries().map(([, v]) => v);
  expect(() => tf.variableGrads(() => tf.add(coupledLoss(sharded.apply(x)), coupledLoss(sharded.apply(x))) as tf.Scalar, vars)).toThrow(/encodeViews/);
  // …and still works afterwards.
  expectSameLoss(x);
  tf.dispose(x);
});

it("reports a worker's failure as an error instead of hanging", () => {
  const wrongShape = tf.zeros([2, 5, 5, 1]);
  expect(() => tf.tidy(() => sharded.apply(wrongShape))).toThrow(/data-parallel encoder worker failed/);
  wrongShape.dispose();
});
