/**
 * Each wasm replacement kernel against the CPU backend on random shapes (stride/padding variants
 * included), and no leaked tensors or wasm buffers.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./index";

type Inputs = Record<string, { shape: number[]; dtype?: "float32" | "int32"; values?: number[] }>;

function randomInputs(spec: Inputs, seed: number): Record<string, Float32Array | Int32Array> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Object.fromEntries(Object.entries(spec).map(([name, { shape, dtype, values }]) => {
    const size = shape.reduce((p, d) => p * d, 1);
    return [name, dtype === "int32" ? Int32Array.from(values ?? []) : Float32Array.from({ length: size }, rand)];
  }));
}

/** Runs one kernel on the current backend; returns its output values and any wasm-side leak. */
function runKernel(name: string, spec: Inputs, values: Record<string, Float32Array | Int32Array>, attrs: object) {
  const backend = tf.engine().backend;
  const dataBefore = backend.numDataIds();
  const tensorsBefore = tf.memory().numTensors;
  const inputs = Object.fromEntries(Object.entries(spec).map(([k, { shape, dtype }]) => [k, tf.tensor(values[k], shape, dtype ?? "float32")]));
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, data: out.dataSync().slice() };
  tf.dispose([out, ...Object.values(inputs)]);
  return { ...result, leakedTensors: tf.memory().numTensors - tensorsBefore, leakedData: backend.numDataIds() - dataBefore };
}

async function compareWithCpu(name: string, spec: Inputs, attrs: object, seed = 7): Promise<void> {
  const values = randomInputs(spec, seed);
  await initBackend("cpu");
  const expected = runKernel(name, spec, values, attrs);
  await initBackend("wasm");
  const actual = runKernel(name, spec, values, attrs);
  expectClose(actual, expected);
}

/** Relative error (max abs difference over max abs value) ≤ 1e-5, and nothing leaked. */
function expectClose(actual: ReturnType<typeof runKernel>, expected: ReturnType<typeof runKernel>): void {
  expect(actual.shape).toEqual(expected.shape);
  // a loop, not Math.max(...spread): outputs can exceed the argument limit
  let scale = 1e-6;
  let maxErr = 0;
  for (let i = 0; i < expected.data.length; i++) {
    scale = Math.max(scale, Math.abs(Number(expected.data[i])));
    maxErr = Math.max(maxErr, Math.abs(Number(actual.data[i]) - Number(expected.data[i])));
  }
  expect(maxErr / scale).toBeLessThanOrEqual(1e-5);
  expect(actual.leakedTensors).toBe(0);
  expect(actual.leakedData).toBe(0);
}

beforeAll(async () => {
  await initBackend("wasm");
});

const convCases: Array<{ x: number[]; f: number[]; strides: number | [number, number]; pad: unknown }> = [
  { x: [2, 28, 28, 1], f: [3, 3, 1, 8], strides: 1, pad: "same" }, // first CNN layer (fewer filters)
  { x: [2, 14, 14, 16], f: [3, 3, 16, 8], strides: 1, pad: "same" }, // second CNN layer (dy-major filter gradient)
  { x: [2, 9, 8, 16], f: [3, 3, 16, 4], strides: 2, pad: "same" },
  { x: [2, 9, 9, 16], f: [2, 3, 16, 4], strides: [3, 2], pad: "valid" },
  { x: [3, 9, 7, 3], f: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [3, 9, 7, 3], f: [3, 2, 3, 5], strides: [2, 1], pad: "valid" },
  { x: [2, 8, 8, 4], f: [4, 4, 4, 6], strides: 4, pad: "valid" }, // MAE-style patch embedding
  { x: [2, 10, 11, 2], f: [5, 5, 2, 3], strides: 3, pad: "valid" }, // rows/cols left unused
  { x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [1, 5, 5, 2], f: [1, 1, 2, 3], strides: 2, pad: "same" },
  { x: [1, 64, 64, 2], f: [3, 3, 2, 256], strides: 1, pad: "same" }, // 4,096 positions: two filter-gradient chunks
];

function convOut(x: number[], f: number[], strides: number | [number, number], pad: unknown): number[] {
  return tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number],
    strides, 1, pad as "same").outShape;
}

describe("wasm Conv2D backprop kernels match the CPU backend", () => {
  it.each(convCases)("filter gradient x=$x f=$f strides=$strides pad=$pad", async ({ x, f, strides, pad }) => {
    await compareWithCpu("Conv2DBackpropFilter", { x: { shape: x }, dy: { shape: convOut(x, f, strides, pad) } },
      { strides, pad, dataFormat: "NHWC", filterShape: f });
  });
  it.each(convCases)("input gradient x=$x f=$f strides=$strides pad=$pad", async ({ x, f, strides, pad }) => {
    await compareWithCpu("Conv2DBackpropInput", { dy: { shape: convOut(x, f, strides, pad) }, filter: { shape: f } },
      { strides, pad, dataFormat: "NHWC", inputShape: x });
  });
});

describe("wasm matMul with transposed operands matches the CPU backend", () => {
  it.each([[false, false], [true, false], [false, true], [true, true]])("BatchMatMul transposeA=%s transposeB=%s", async (ta, tb) => {
    await compareWithCpu("BatchMatMul", { a: { shape: ta ? [2, 7, 5] : [2, 5, 7] }, b: { shape: tb ? [2, 3, 7] : [2, 7, 3] } },
      { transposeA: ta, transposeB: tb });
  });
  it.each([[true, false], [false, true]])("_FusedMatMul with bias and relu transposeA=%s transposeB=%s", async (ta, tb) => {
    await compareWithCpu("_FusedMatMul", { a: { shape: ta ? [1, 9, 6] : [1, 6, 9] }, b: { shape: tb ? [1, 4, 9] : [1, 9, 4] }, bias: { shape: [4] } },
      { transposeA: ta, transposeB: tb, activation: "relu" });
  });
});

describe("other wasm replacement kernels match the CPU backend", () => {
  it.each([
    { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: "valid" }, // the tiled 2×2 fast path
    { x: [2, 7, 8, 3], filterSize: 2, strides: 2, pad: "valid" }, // odd height: general path
    { x: [2, 7, 9, 4], filterSize: 3, strides: 2, pad: "same" },
    { x: [1, 6, 6, 2], filterSize: [3, 2], strides: 1, pad: "valid" },
  ])("MaxPoolGrad x=$x filter=$filterSize strides=$strides pad=$pad", async ({ x, filterSize, strides, pad }) => {
    const values = randomInputs({ x: { shape: x } }, 3).x;
    const attrs = { filterSize, strides, pad };
    await initBackend("cpu");
    const y = tf.engine().runKernel("MaxPool", { x: tf.tensor(values, x) }, attrs) as tf.Tensor;
    const spec: Inputs = { dy: { shape: y.shape }, input: { shape: x }, output: { shape: y.shape } };
    const inputs = randomInputs(spec, 5);
    inputs.input = values;
    inputs.output = y.dataSync() as Float32Array;
    tf.dispose(y);
    const expected = runKernel("MaxPoolGrad", spec, inputs, attrs);
    await initBackend("wasm");
    const actual = runKernel("MaxPoolGrad", spec, inputs, attrs);
    expectClose(actual, expected);
  });

  it.each([
    { shape: [4, 5, 6, 3], axis: [0, 1, 2], keepDims: false },
    { shape: [4, 5, 6], axis: [0], keepDims: true },
    { shape: [4, 5, 6], axis: [1, 2], keepDims: false },
    { shape: [4, 5], axis: [1, 0], keepDims: false },
  ])("Sum shape=$shape axis=$axis", async ({ shape, axis, keepDims }) => {
    await compareWithCpu("Sum", { x: { shape } }, { axis, keepDims });
  });

  it("UnsortedSegmentSum (the gradient of gather), dropping out-of-range ids", async () => {
    await compareWithCpu("UnsortedSegmentSum", { x: { shape: [6, 2, 3] }, segmentIds: { shape: [6], dtype: "int32", values: [0, 3, 3, 1, 7, 0] } },
      { numSegments: 4 });
  });

  it.each([
    { shape: [3, 1, 2], reps: [2, 4, 3] },
    { shape: [4, 1, 1, 1], reps: [1, 5, 5, 1] }, // a per-image mask broadcast over pixels
  ])("Tile shape=$shape reps=$reps", async ({ shape, reps }) => {
    await compareWithCpu("Tile", { x: { shape } }, { reps });
  });

  it.each([[[2]], [[0, 3]], [[1, 2]]])("Reverse dims=%j", async (dims) => {
    await compareWithCpu("Reverse", { x: { shape: [2, 3, 4, 5] } }, { dims });
  });

  it.each([
    { a: [3, 4], b: [3, 1] },
    { a: [1, 4], b: [3, 1] },
    { a: [2, 3, 4], b: [4] },
  ])("broadcasting Equal a=$a b=$b", async ({ a, b }) => {
    const ints = (shape: number[]) => Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => (i * 7) % 3);
    await compareWithCpu("Equal", { a: { shape: a, dtype: "int32", values: ints(a) }, b: { shape: b, dtype: "int32", values: ints(b) } }, {});
  });
});
