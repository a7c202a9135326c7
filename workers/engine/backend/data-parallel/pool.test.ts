/** The data-parallel step across worker threads equals the single-process step. */
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initBackend } from "../index";
import { buildTinyCnn } from "./fixtures/tiny-cnn";
import { DataParallelPool } from "./pool";

const MODEL_URL = new URL("./fixtures/tiny-cnn.ts", import.meta.url).href;
let pool: DataParallelPool;

beforeAll(async () => {
  await initBackend("wasm");
  pool = await DataParallelPool.start({ workers: 2, modelUrl: MODEL_URL, modelExport: "buildTinyCnn" });
});
afterAll(async () => {
  await pool?.close();
});

/** Couples the whole batch (every row against every other), as contrastive losses do. */
function coupledLoss(outputs: tf.Tensor[]): tf.Scalar {
  const z = tf.concat(outputs, 0) as tf.Tensor2D;
  return tf.mean(tf.logSumExp(tf.matMul(z, z, false, true), 1));
}

it("gives the same loss and parameter update as one process on the whole batch, leaking nothing", async () => {
  const x = tf.randomUniform([6, 8, 8, 1], 0, 1, "float32", 9);
  const reference = buildTinyCnn();
  const { value, grads } = tf.variableGrads(() => coupledLoss([reference.forward(x)]), reference.params);
  const sgd = tf.train.sgd(0.5);
  sgd.applyGradients(grads);

  const shards = tf.split(x, [4, 2], 0);
  const poolSgd = tf.train.sgd(0.5);
  const tensorsBefore = tf.memory().numTensors;
  const loss = await pool.step(shards, coupledLoss, poolSgd);
  expect(tf.memory().numTensors).toBe(tensorsBefore);

  expect(loss).toBeCloseTo(value.dataSync()[0], 5);
  pool.model.params.forEach((p, i) => {
    const expected = reference.params[i].dataSync();
    const err = Math.max(...p.dataSync().map((v, j) => Math.abs(v - expected[j])));
    expect(err).toBeLessThan(1e-5);
  });
  tf.dispose([x, value, ...Object.values(grads), ...shards, ...reference.params]);
});

it("reports a worker failure as an error instead of hanging", async () => {
  const wrongRank = [tf.zeros([2, 8, 8]), tf.zeros([2, 8, 8])];
  await expect(pool.step(wrongRank, coupledLoss, tf.train.sgd(0.1))).rejects.toThrow(/data-parallel worker failed/);
  tf.dispose(wrongRank);
});
