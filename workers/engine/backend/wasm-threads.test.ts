/**
 * The threaded wasm build under Node (PRETEXT_WASM_THREADS): XNNPACK gets the asked-for threads
 * and a CNN training step's gradients equal the CPU backend's. Its own test file: the wasm
 * backend is initialised once per process.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initBackend, wasmThreadsFromEnv } from "./index";

beforeAll(() => {
  process.env.PRETEXT_WASM_THREADS = "2";
});
afterAll(() => {
  delete process.env.PRETEXT_WASM_THREADS;
});

/** Conv → pool → dense gradients on fixed inputs, as plain arrays (all tensors disposed). */
function cnnGradients(): number[][] {
  return tf.tidy(() => {
    const x = tf.randomUniform([8, 12, 12, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const filter = tf.variable(tf.randomNormal([3, 3, 3, 16], 0, 0.3, "float32", 2));
    const dense = tf.variable(tf.randomNormal([6 * 6 * 16, 10], 0, 0.1, "float32", 3));
    const { grads } = tf.variableGrads(() => {
      const a = tf.maxPool(tf.relu(tf.conv2d(x, filter as tf.Tensor4D, 1, "same")), 2, 2, "valid");
      return tf.mean(tf.square(tf.matMul(tf.reshape(a, [8, 6 * 6 * 16]), dense)));
    }, [filter, dense]);
    const out = [filter, dense].map((v) => Array.from(grads[v.name].dataSync()));
    filter.dispose();
    dense.dispose();
    return out;
  });
}

it("runs XNNPACK on two threads with the same gradients as the CPU backend, leaking nothing", async () => {
  await initBackend("cpu");
  const expected = cnnGradients();
  await initBackend("wasm");
  expect((tf.backend() as unknown as BackendWasm).wasm.tfjs.getThreadsCount()).toBe(2);
  const tensorsBefore = tf.memory().numTensors;
  const actual = cnnGradients();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  actual.forEach((values, i) => {
    const scale = expected[i].reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
    const maxErr = values.reduce((m, v, j) => Math.max(m, Math.abs(v - expected[i][j])), 0);
    expect(maxErr / scale).toBeLessThanOrEqual(1e-5);
  });
});

it("rejects a PRETEXT_WASM_THREADS that is not a positive integer", () => {
  process.env.PRETEXT_WASM_THREADS = "two";
  expect(() => wasmThreadsFromEnv()).toThrow(/PRETEXT_WASM_THREADS must be a positive integer, got 'two'/);
  process.env.PRETEXT_WASM_THREADS = "2";
});
