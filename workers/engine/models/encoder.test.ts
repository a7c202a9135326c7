/**
 * The CNN encoder pools before its ReLU (cheaper); that must be the same function, gradients
 * included, as the conventional conv → ReLU → pool.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, expect, it } from "vitest";
import { initBackend } from "../backend";
import { Rng } from "../rng";
import { buildEncoder } from "./encoder";
import { ParamSet } from "./param-set";

beforeAll(async () => {
  await initBackend("wasm");
});

it("CNN encoder equals conv → ReLU → 2×2 pool → conv → ReLU → pool → dense, values and gradients", () => {
  const params = new ParamSet();
  const encoder = buildEncoder({ kind: "cnn", channels: [4, 6], embeddingDim: 5 }, [8, 8, 1], params, "encoder", new Rng(3));
  const p = (name: string) => params.get(`encoder/${name}`);
  const reference = (x: tf.Tensor) => {
    const block = (t: tf.Tensor4D, layer: string): tf.Tensor4D => {
      const y = tf.add(tf.conv2d(t, p(`${layer}/kernel`) as tf.Tensor4D, 1, "same"), p(`${layer}/bias`)) as tf.Tensor4D;
      return tf.maxPool(tf.relu(y), 2, 2, "valid");
    };
    const b = block(block(x as tf.Tensor4D, "conv1"), "conv2");
    return tf.add(tf.matMul(tf.reshape(b, [x.shape[0], 2 * 2 * 6]), p("fc/kernel") as tf.Tensor2D), p("fc/bias"));
  };
  // Biases pushed negative so that whole pooling windows are ≤ 0 (the branch where the orders differ in form).
  p("conv1/bias").assign(tf.fill([4], -0.3));
  const x = tf.randomNormal([3, 8, 8, 1], 0, 1, "float32", 5);
  const vars = params.entries().map(([, v]) => v);
  const ours = tf.variableGrads(() => tf.sum(tf.square(encoder.apply(x))), vars);
  const theirs = tf.variableGrads(() => tf.sum(tf.square(reference(x))), vars);
  expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0], 6);
  for (const v of vars) expect(Array.from(ours.grads[v.name].dataSync())).toEqual(Array.from(theirs.grads[v.name].dataSync()));
  tf.dispose([x, ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
  params.dispose();
});
