import onnxProto from "onnx-proto";
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "@/workers/engine/backend";
import { gatherBatch } from "@/workers/engine/data/batches";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { fitStandardizer, foldStandardizer } from "@/workers/engine/eval/features";
import { loadEncoder } from "@/workers/engine/eval/encoder-file";
import { buildEncoder, type EncoderConfig } from "@/workers/engine/models/encoder";
import { ParamSet } from "@/workers/engine/models/param-set";
import { encodeTensorFile } from "@/workers/engine/models/tensor-file";
import { Rng } from "@/workers/engine/rng";
import { PretextError } from "../errors";
import { writeHeadFile } from "./head-file";
import { exportToOnnx } from "./onnx-export";
import { writeTensorFile } from "./tensor-file-format";

// onnx-proto is CommonJS: Node's ESM loader (tsx, the CLI) sees no named exports in it, so take the default.
const { onnx } = onnxProto;

// onnxruntime-node is an optional dependency: without it only the error cases run
const ort = await import("onnxruntime-node").catch(() => null);

const SHIPPED_CNN = readFileSync("examples/encoders/fashion-mnist-simclr.ptx");
const IMAGES = 200;
const TOLERANCE = 1e-4;

let images: tf.Tensor; // [IMAGES, 28, 28, 1], scaled to [0, 1] as the engine batches them

beforeAll(async () => {
  await initBackend("wasm");
  const ds = await loadDataset({ kind: "fashion-mnist" });
  const view = { source: ds.test!, shape: ds.descriptor.shape, indices: Int32Array.from({ length: IMAGES }, (_, i) => i) };
  images = gatherBatch(view, view.indices);
});

/** What tfjs computes: the loaded encoder's apply on `images`. */
function tfjsEmbedding(encoderPtx: Uint8Array): Float32Array {
  const loaded = loadEncoder(encoderPtx, false);
  try {
    return tf.tidy(() => loaded.encoder.apply(images)).dataSync() as Float32Array;
  } finally {
    loaded.dispose();
  }
}

async function onnxOutputs(model: Uint8Array): Promise<Record<string, { dims: readonly number[]; data: Float32Array }>> {
  const session = await ort!.InferenceSession.create(model);
  try {
    const out = await session.run({ input: new ort!.Tensor("float32", images.dataSync() as Float32Array, images.shape) });
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, { dims: t.dims, data: t.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** onnxruntime's output against tfjs's, within TOLERANCE; the measured difference is printed for the record. */
function expectParity(what: string, onnx: Float32Array, tfjs: Float32Array) {
  const diff = maxAbsDiff(onnx, tfjs);
  console.log(`onnxruntime vs tfjs, ${what}: max abs diff ${diff.toExponential(2)}`);
  expect(diff).toBeLessThanOrEqual(TOLERANCE);
}

/** A random encoder in the encoder.ptx format pretraining writes, with non-zero biases so their layout is tested too. */
async function randomEncoderFile(encoder: EncoderConfig, outDim: number): Promise<Uint8Array> {
  const params = new ParamSet();
  const rng = new Rng(7);
  buildEncoder(encoder, [28, 28, 1], params, "encoder", rng);
  for (const [name, v] of params.withPrefix("encoder/")) if (name.endsWith("/bias")) v.assign(tf.tensor(rng.normals(v.size, 0.1), v.shape));
  const meta = { kind: "pretext-encoder", encoder, inputShape: [28, 28, 1], outDim, method: "simclr", dataset: { name: "fashion-mnist", checksum: "x" }, steps: 0 };
  const bytes = await encodeTensorFile(meta, Object.fromEntries(params.withPrefix("encoder/")));
  params.dispose();
  return bytes;
}

describe.skipIf(!ort)("exportToOnnx: onnxruntime matches tfjs on Fashion-MNIST test images", () => {
  it("the shipped SimCLR CNN, with the encoder's meta in the model", async () => {
    const model = exportToOnnx(SHIPPED_CNN);
    const out = await onnxOutputs(model);
    expect(out.embedding.dims).toEqual([IMAGES, 128]);
    expectParity("shipped CNN embedding", out.embedding.data, tfjsEmbedding(SHIPPED_CNN));
    const proto = onnx.ModelProto.decode(model);
    expect({ ir: Number(proto.irVersion), opset: Number(proto.opsetImport[0].version), producer: proto.producerName }).toEqual({ ir: 7, opset: 13, producer: "pretext" });
    expect(Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]))).toMatchObject({ inputShape: "[28,28,1]", outDim: "128", method: "simclr" });
  });

  it("a random MLP encoder", async () => {
    const encoder = await randomEncoderFile({ kind: "mlp", hidden: [64, 32], embeddingDim: 16 }, 16);
    const out = await onnxOutputs(exportToOnnx(encoder));
    expect(out.embedding.dims).toEqual([IMAGES, 16]);
    expectParity("MLP embedding", out.embedding.data, tfjsEmbedding(encoder));
  });

  it("a CNN with a folded linear-probe head: probabilities = softmax((z − μ)/σ · W + b)", async () => {
    const encoder = await randomEncoderFile({ kind: "cnn", channels: [8, 16], embeddingDim: 24 }, 24);
    const z = tfjsEmbedding(encoder);
    const s = fitStandardizer({ data: z, n: IMAGES, d: 24 });
    const rng = new Rng(11);
    const head = { kernel: rng.normals(24 * 10, 0.3), bias: rng.normals(10, 0.3) };
    const expected = tf.tidy(() => {
      const standardized = tf.div(tf.sub(tf.tensor2d(z, [IMAGES, 24]), tf.tensor1d(s.mean)), tf.tensor1d(s.std));
      return tf.softmax(tf.add(tf.matMul(standardized, tf.tensor2d(head.kernel, [24, 10])), tf.tensor1d(head.bias)));
    });
    const headPtx = writeHeadFile({ meta: { kind: "pretext-head", method: "linear_probe", numClasses: 10, labelFraction: 1, seed: 0, inputDim: 24 }, ...foldStandardizer(s, head.kernel, head.bias) });
    const out = await onnxOutputs(exportToOnnx(encoder, headPtx));
    expect(out.probabilities.dims).toEqual([IMAGES, 10]);
    expectParity("CNN + head embedding", out.embedding.data, z);
    expectParity("CNN + head probabilities", out.probabilities.data, expected.dataSync() as Float32Array);
    expected.dispose();
  });
});

describe("exportToOnnx: bad input", () => {
  const rejects = (run: () => unknown, message: RegExp) => {
    expect(run).toThrow(PretextError);
    expect(run).toThrow(message);
  };

  it("names the field and the reason", () => {
    rejects(() => exportToOnnx(new TextEncoder().encode("a JPEG, perhaps")), /^encoder: not a Pretext tensor file: missing PRTX magic$/);
    const resnet = writeTensorFile({ kind: "pretext-encoder", encoder: { kind: "resnet" }, inputShape: [28, 28, 1], outDim: 8, method: "simclr", dataset: { name: "d", checksum: "x" } }, {});
    rejects(() => exportToOnnx(resnet), /^encoder\.meta\.encoder\.kind: /);
    const wrongDim = writeHeadFile({ meta: { kind: "pretext-head", method: "linear_probe", numClasses: 10, labelFraction: 1, seed: 0, inputDim: 64 }, kernel: new Float32Array(640), bias: new Float32Array(10) });
    rejects(() => exportToOnnx(SHIPPED_CNN, wrongDim), /^head\.meta\.inputDim: 64 differs from the encoder's outDim 128$/);
    rejects(() => exportToOnnx(SHIPPED_CNN, SHIPPED_CNN), /^head\.meta\.kind: /);
    rejects(() => exportToOnnx(SHIPPED_CNN.subarray(0, SHIPPED_CNN.length - 3)), /^encoder: truncated tensor file: /);
    const odd = writeTensorFile({ kind: "pretext-encoder" }, { w: { dtype: "float32", shape: [1], data: new Float32Array(1) } });
    const header = new TextDecoder().decode(odd.subarray(12, 12 + new DataView(odd.buffer).getUint32(8, true)));
    const broken = new Uint8Array(odd);
    broken.set(new TextEncoder().encode(header.replace('"bytes":4', '"bytes":3')), 12);
    rejects(() => exportToOnnx(broken), /^encoder: not a Pretext tensor file: bad entry for tensor "w"$/);
  });
});
