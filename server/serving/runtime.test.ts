import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { modelSpecSchema, type ModelSpec, type ModelSpecInput } from "@/server/registry/model-spec";
import { fashionMnistDir } from "@/workers/engine/data/fashion-mnist";
import { IDX_IMAGES_MAGIC, readIdxFile } from "@/workers/engine/data/idx";
import { preprocess } from "./preprocess";
import { loadModel, servingRuntime, type LoadedModel, type ServingRuntime } from "./runtime";

const fixture = path.resolve(__dirname, "../../examples/onnx/torch-fashion-cnn.onnx");
const expected = JSON.parse(readFileSync(fixture.replace(/\.onnx$/, ".expected.json"), "utf8")) as {
  spec: ModelSpecInput;
  probabilitiesOutput: string;
  test: { index: number; label: number; embedding: number[]; probabilities: number[] }[];
};
const spec: ModelSpec = modelSpecSchema.parse({ ...expected.spec, probabilitiesOutput: expected.probabilitiesOutput });
const bytes = new Uint8Array(readFileSync(fixture));
const ortAvailable = await import("onnxruntime-node").then(() => true, () => false);

let images: Uint8Array; // the test set's first 150 images, 28×28 bytes each
beforeAll(async () => {
  images = (await readIdxFile(path.join(fashionMnistDir(), "t10k-images-idx3-ubyte.gz"), IDX_IMAGES_MAGIC)).data.subarray(0, 150 * 784);
});

const savedRuntime = process.env.PRETEXT_SERVE_RUNTIME;
afterEach(() => {
  if (savedRuntime === undefined) delete process.env.PRETEXT_SERVE_RUNTIME;
  else process.env.PRETEXT_SERVE_RUNTIME = savedRuntime;
});

async function load(runtime: ServingRuntime): Promise<LoadedModel> {
  process.env.PRETEXT_SERVE_RUNTIME = runtime;
  const model = await loadModel(bytes, spec);
  expect(model.runtime).toBe(runtime);
  return model;
}

const inputs = (n: number) => preprocess(Float32Array.from(images.subarray(0, n * 784)), n, spec);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

describe.each([
  ["onnxruntime-node", ortAvailable],
  ["tfjs", true],
] as const)("the %s runtime", (runtime, available) => {
  it.skipIf(!available)("gives torch's embeddings and probabilities for the first 8 test images", async () => {
    const model = await load(runtime);
    const out = await model.run(inputs(8), 8);
    expect([out.dim, out.classes]).toEqual([64, 10]);
    const embeddingDiff = maxAbsDiff(out.embedding, expected.test.flatMap((t) => t.embedding));
    const probabilityDiff = maxAbsDiff(out.probabilities!, expected.test.flatMap((t) => t.probabilities));
    console.log(`${runtime} vs torch, max abs diff: embedding ${embeddingDiff.toExponential(2)}, probabilities ${probabilityDiff.toExponential(2)}`);
    expect(embeddingDiff).toBeLessThan(1e-4);
    expect(probabilityDiff).toBeLessThan(1e-4);
    await model.dispose();
  });

  it.skipIf(!available)("rejects an input that is not n samples", async () => {
    const model = await load(runtime);
    await expect(model.run(new Float32Array(783), 1)).rejects.toThrow(expect.objectContaining({ status: 400, message: "input: expected 1 samples of [1,28,28] = 784 values, got 783" }));
    await expect(model.run(new Float32Array(784), 0)).rejects.toThrow(/^n: must be a positive integer, got 0/);
    await model.dispose();
  });
});

// 150: more than one of onnxruntime's chunks of 64, the last one partial
it.skipIf(!ortAvailable)("tfjs and onnxruntime agree on 150 images", async () => {
  const [ort, tfjs] = [await load("onnxruntime-node"), await load("tfjs")];
  const [a, b] = [await ort.run(inputs(150), 150), await tfjs.run(inputs(150), 150)];
  const embeddingDiff = maxAbsDiff(a.embedding, b.embedding);
  const probabilityDiff = maxAbsDiff(a.probabilities!, b.probabilities!);
  console.log(`tfjs vs onnxruntime on 150 images, max abs diff: embedding ${embeddingDiff.toExponential(2)}, probabilities ${probabilityDiff.toExponential(2)}`);
  expect(embeddingDiff).toBeLessThan(1e-4);
  expect(probabilityDiff).toBeLessThan(1e-4);
  await Promise.all([ort.dispose(), tfjs.dispose()]);
});

it("picks onnxruntime-node where it loads, tfjs where forced, and rejects an unknown runtime", async () => {
  delete process.env.PRETEXT_SERVE_RUNTIME;
  expect(await servingRuntime()).toBe(ortAvailable ? "onnxruntime-node" : "tfjs");
  process.env.PRETEXT_SERVE_RUNTIME = "tfjs";
  expect(await servingRuntime()).toBe("tfjs");
  process.env.PRETEXT_SERVE_RUNTIME = "tensorrt";
  await expect(servingRuntime()).rejects.toThrow(/^PRETEXT_SERVE_RUNTIME: 'tensorrt' is not a runtime/);
});

it("checks the spec before loading: a wrong name is a 400 on the spec's field", async () => {
  await expect(loadModel(bytes, { ...spec, inputName: "input" })).rejects.toThrow(/^inputName: the graph has no input "input"/);
});

it.skipIf(!ortAvailable)("blames PRETEXT_ORT_EXECUTION_PROVIDERS, not the file, for a provider onnxruntime cannot use", async () => {
  const saved = process.env.PRETEXT_ORT_EXECUTION_PROVIDERS;
  process.env.PRETEXT_ORT_EXECUTION_PROVIDERS = "nonesuch";
  try {
    await expect(load("onnxruntime-node")).rejects.toThrow(expect.objectContaining({ status: 500, message: expect.stringMatching(/^PRETEXT_ORT_EXECUTION_PROVIDERS: onnxruntime cannot use nonesuch \(/) }));
  } finally {
    if (saved === undefined) delete process.env.PRETEXT_ORT_EXECUTION_PROVIDERS;
    else process.env.PRETEXT_ORT_EXECUTION_PROVIDERS = saved;
  }
});
