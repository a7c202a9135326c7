/**
 * Pretext's WebGPU kernels against the CPU backend on random shapes (stride/padding variants and
 * tile-unaligned sizes included), with no leaked tensors or GPU buffers. In CI the adapter is Mesa's
 * software llvmpipe (slow, so shapes are small); without an adapter CI fails instead of skipping.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "./index";
import { conv2dBackpropFilterConfig, splitK } from "./webgpu-kernels/conv2d-backprop-filter";

const webgpu = await initBackend("webgpu").then((b) => b, (err: Error) => err.message);
if (typeof webgpu === "string" && process.env.CI) throw new Error(`CI needs a WebGPU adapter: ${webgpu}`);

type Shape = number[];

function randomValues(shape: Shape, seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, rand);
}

interface Outcome { shape: number[]; data: Float32Array; leakedTensors: number; leakedData: number }

/** Runs Conv2DBackpropFilter on the current backend; returns its output and any leak. */
async function runFilterGradient(x: Shape, dy: Shape, values: [Float32Array, Float32Array], attrs: object): Promise<Outcome> {
  const backend = tf.engine().backend;
  const dataBefore = backend.numDataIds();
  const tensorsBefore = tf.memory().numTensors;
  const inputs = { x: tf.tensor(values[0], x), dy: tf.tensor(values[1], dy) };
  const out = tf.engine().runKernel("Conv2DBackpropFilter", inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, data: (await out.data()) as Float32Array };
  tf.dispose([out, inputs.x, inputs.dy]);
  return { ...result, leakedTensors: tf.memory().numTensors - tensorsBefore, leakedData: backend.numDataIds() - dataBefore };
}

/** Max abs difference over max abs expected value. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1e-6;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
  }
  return maxErr / scale;
}

interface ConvCase { x: Shape; f: Shape; strides: number | [number, number]; pad: unknown; dataFormat?: "NHWC" | "NCHW" }

const convCases = ([
  { x: [4, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pad: "same" }, // the reference CNN's first layer
  { x: [4, 14, 14, 32], f: [3, 3, 32, 64], strides: 1, pad: "same" }, // and its second
  { x: [16, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pad: "same" }, // 49 K chunks
  { x: [9, 13, 11, 7], f: [3, 3, 7, 37], strides: 1, pad: "valid" }, // M=63, N=37, K=891: no size a tile multiple, 3 chunks
  { x: [3, 9, 7, 3], f: [3, 3, 3, 5], strides: 1, pad: "same" }, // one chunk: written straight in the filter's shape
  { x: [2, 9, 8, 16], f: [3, 3, 16, 4], strides: 2, pad: "same" },
  { x: [2, 9, 9, 16], f: [2, 3, 16, 4], strides: [3, 2], pad: "valid" },
  { x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 7, 7, 4], f: [3, 3, 4, 8], strides: 2, pad: 1 },
  { x: [2, 8, 8, 4], f: [4, 4, 4, 6], strides: 4, pad: "valid" }, // MAE-style patch embedding
  { x: [2, 10, 11, 2], f: [5, 5, 2, 3], strides: 3, pad: "valid" }, // rows/cols left unused
  { x: [1, 5, 5, 2], f: [1, 1, 2, 3], strides: 2, pad: "same" },
  { x: [2, 3, 6, 6], f: [3, 3, 3, 4], strides: 1, pad: "same", dataFormat: "NCHW" }, // left to the stock kernel
] as ConvCase[]).map((c) => ({ dataFormat: "NHWC" as const, ...c }));

function convOut({ x, f, strides, pad, dataFormat }: ConvCase): Shape {
  return tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number],
    strides, 1, pad as "same", undefined, false, dataFormat === "NCHW" ? "channelsFirst" : "channelsLast").outShape;
}

describe("split-K rule", () => {
  it("gives the reference CNN's layers at batch 512 thousands of workgroups of a few hundred positions", () => {
    for (const [m, n, k] of [[9, 32, 512 * 28 * 28], [288, 64, 512 * 14 * 14]]) {
      const { chunks, chunkTiles } = splitK(m, n, k, 65535);
      const workgroups = chunks * Math.ceil(m / 32) * Math.ceil(n / 32);
      expect(workgroups).toBeGreaterThanOrEqual(1000);
      expect(workgroups).toBeLessThanOrEqual(4096);
      expect(chunkTiles * 32).toBeGreaterThanOrEqual(256);
      expect((chunks - 1) * chunkTiles * 32).toBeLessThan(k); // no empty chunk
    }
    expect(splitK(27, 5, 189, 65535).chunks).toBe(1);
    expect(splitK(9, 32, 1e7, 100).chunks).toBeLessThanOrEqual(100);
  });
});

describe.skipIf(typeof webgpu === "string")("webgpu Conv2DBackpropFilter matches the CPU backend", () => {
  it("is Pretext's kernel, not tfjs's", () => {
    expect(tf.getKernel("Conv2DBackpropFilter", "webgpu")?.kernelFunc).toBe(conv2dBackpropFilterConfig.kernelFunc);
  });

  it.each(convCases)("$dataFormat x=$x f=$f strides=$strides pad=$pad", async (c) => {
    const dy = convOut(c);
    const values: [Float32Array, Float32Array] = [randomValues(c.x, 7), randomValues(dy, 11)];
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, filterShape: c.f };
    await initBackend("cpu");
    const expected = await runFilterGradient(c.x, dy, values, attrs);
    await initBackend("webgpu");
    const actual = await runFilterGradient(c.x, dy, values, attrs);
    expect(actual.shape).toEqual(c.f);
    expect(relativeError(actual.data, expected.data)).toBeLessThanOrEqual(1e-5);
    expect(actual.leakedTensors).toBe(0);
    expect(actual.leakedData).toBe(0);
  });

  it("gives tf.grad of conv2d the CPU backend's filter gradient", async () => {
    const c: ConvCase = { x: [4, 14, 14, 8], f: [3, 3, 8, 16], strides: 1, pad: "same" };
    const [xv, fv, wv] = [randomValues(c.x, 3), randomValues(c.f, 5), randomValues(convOut(c), 9)];
    const gradient = async () => {
      const before = tf.memory().numTensors;
      const [x, f, w] = [tf.tensor4d(xv, c.x as [number, number, number, number]), tf.tensor4d(fv, c.f as [number, number, number, number]), tf.tensor(wv, convOut(c))];
      const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, 1, "same"), w)))(f);
      const data = await g.data();
      tf.dispose([x, f, w, g]);
      expect(tf.memory().numTensors).toBe(before);
      return data;
    };
    await initBackend("cpu");
    const expected = await gradient();
    await initBackend("webgpu");
    expect(relativeError(await gradient(), expected)).toBeLessThanOrEqual(1e-5);
  });
});
