/**
 * An imported ONNX encoder (the PyTorch fixture, examples/onnx) evaluated as a job through the real
 * queue and worker on PGlite: the protocols on its embeddings run, their results are stored against
 * its id (its curve on the registry pages), the features are serving's, and a suite that would
 * train it fails at once.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { launchRun, type LaunchInput } from "@/server/jobs/launch";
import { createQueue } from "@/server/jobs/queue";
import { registerEncoder, type EncoderRow } from "@/server/registry/encoders";
import type { ModelSpec } from "@/server/registry/model-spec";
import { encoderVersions } from "@/server/registry/versions";
import { preprocess } from "@/server/serving/preprocess";
import { loadModel } from "@/server/serving/runtime";
import { uploadArtifact } from "@/server/services/artifacts";
import { listAttempts } from "@/server/services/attempts";
import { listBenchmarkResults } from "@/server/services/benchmarks";
import { createRun, getRun, getRunParams, type Run } from "@/server/services/runs";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import type { SampleView } from "@/workers/engine/data/splits";
import { embedViewOnnx, samplesInLayout } from "@/workers/engine/eval/features";
import { checkSpecFitsDataset, parseOnnxSuite } from "@/workers/engine/eval/onnx-encoder";
import { loadEncoderSource, type EvaluateJobConfig } from "./job-configs";
import { startWorker, type RunningWorker } from "./worker";

const TORCH = readFileSync("examples/onnx/torch-fashion-cnn.onnx");
const EXPECTED = JSON.parse(readFileSync("examples/onnx/torch-fashion-cnn.expected.json", "utf8")) as { spec: ModelSpec; test: { index: number; embedding: number[] }[] };

/** Protocols left out: linear_probe and knn for an ONNX encoder, with the raw_linear baseline. */
const SUITE = {
  dataset: { kind: "fashion-mnist" },
  fractions: [0.01, 0.1],
  seeds: [0],
  testLimit: 2000,
  knn: { k: [20] },
  linearProbe: { l2Grid: [1e-3], cvFolds: 2, maxSteps: 300, batchSize: 256 },
} satisfies EvaluateJobConfig["suite"];

async function waitForRun(t: TestDatabase, runId: number, timeoutMs = 120_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(t.database, runId);
    if (run.status === "finished" || run.status === "failed" || run.status === "cancelled") return run;
    if (Date.now() > deadline) throw new Error(`timed out waiting for run ${runId} (${run.status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

describe("evaluating an imported ONNX encoder (embedded worker, PGlite)", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  let worker: RunningWorker;
  let encoder: EncoderRow;
  const launch = async (input: LaunchInput) => (await launchRun(t.database, queue, input)).run;

  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-onnx-eval-test-${process.pid}`;
    t = await openTestDatabase("pglite");
    queue = await createQueue(t.database);
    worker = await startWorker({ database: t.database, queue, log: () => {} });
    const run = await createRun(t.database, { experiment: "torch", status: "finished" });
    await uploadArtifact(t.database, run.id, "model.onnx", "onnx", TORCH);
    encoder = await registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "model.onnx", modelSpec: EXPECTED.spec });
  });
  afterAll(async () => {
    await worker?.stop();
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("runs linear_probe and knn on its embeddings and stores them against its id", async () => {
    const started = Date.now();
    const run = await waitForRun(t, (await launch({ kind: "evaluate", experiment: "evaluation", config: { encoder: { id: encoder.id }, suite: SUITE } })).id);
    expect(run.status, run.statusReason ?? "").toBe("finished");
    const results = await listBenchmarkResults(t.database, { runId: run.id });
    const accuracy = (method: string, fraction: number) => results.find((r) => r.method === method && r.labelFraction === fraction)!.value;
    console.log(
      `torch-fashion-cnn in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        ["linear_probe", "knn_k20", "raw_linear"].map((m) => `${m} ${SUITE.fractions.map((f) => `${f * 100}% ${accuracy(m, f).toFixed(4)}`).join(", ")}`).join("; "),
    );
    expect(results.filter((r) => r.encoderId === encoder.id).map((r) => `${r.method}@${r.labelFraction}`).sort()).toEqual(["knn_k20@0.01", "knn_k20@0.1", "linear_probe@0.01", "linear_probe@0.1"]);
    expect(results.filter((r) => r.encoderId === null).map((r) => r.method)).toEqual(["raw_linear", "raw_linear"]);
    // a supervised classifier with 87 % test accuracy: its penultimate layer is nearly linearly separable
    expect(accuracy("linear_probe", 0.01)).toBeGreaterThan(0.8);
    expect(accuracy("knn_k20", 0.01)).toBeGreaterThan(0.78);
    expect(accuracy("linear_probe", 0.01)).toBeGreaterThan(accuracy("raw_linear", 0.01));
    expect(Object.fromEntries((await getRunParams(t.database, run.id)).map((p) => [p.key, p.value]))).toMatchObject({ "eval.protocols": "linear_probe,knn", "eval.baselines": "raw_linear", "encoder.format": "onnx" });
    // the registry page's curve for this version
    const [version] = (await encoderVersions(t.database, "torch-fm")).versions;
    expect(version.curve?.series.map((s) => [s.method, s.baseline, s.points.length])).toEqual([["knn_k20", false, 2], ["linear_probe", false, 2], ["raw_linear", true, 2]]);
  });

  it("extracts the features serving computes for the same raw images (and torch's)", async () => {
    const { encoder: model } = await loadEncoderSource(t.database, { id: encoder.id });
    if (model instanceof Uint8Array) throw new Error("expected an ONNX encoder");
    const { test } = await loadDataset({ kind: "fashion-mnist" });
    const view: SampleView = { source: test!, shape: [28, 28, 1], indices: Int32Array.from({ length: 40 }, (_, i) => i) };
    const served = await loadModel(model.onnx, model.spec);
    try {
      const features = await embedViewOnnx(view, served, model.spec, 16); // three batches, the last partial
      expect([features.n, features.d]).toEqual([40, 64]);
      const raw = Float32Array.from(test!.x.subarray(0, 40 * 784)); // one channel: hwc and chw agree
      const { embedding } = await served.run(preprocess(raw, 40, model.spec), 40);
      expect(maxAbsDiff(features.data, embedding)).toBeLessThan(1e-5);
      expect(maxAbsDiff(features.data.subarray(0, 8 * 64), EXPECTED.test.flatMap((s) => s.embedding))).toBeLessThan(1e-4);
    } finally {
      await served.dispose();
    }
  });

  it("fails a suite that would train the encoder at once, without retrying", async () => {
    const run = await waitForRun(t, (await launch({ kind: "evaluate", config: { encoder: { id: encoder.id }, suite: { ...SUITE, protocols: ["linear_probe", "finetune", "fixmatch"] } } })).id);
    expect(run.status).toBe("failed");
    expect(run.statusReason).toBe("protocols: finetune, fixmatch need a Pretext encoder's weights; an ONNX encoder supports linear_probe, knn, adapter");
    expect((await listAttempts(t.database, run.id)).map((a) => a.outcome)).toEqual(["failed"]); // a retry would fail the same way
    const baseline = await waitForRun(t, (await launch({ kind: "evaluate", config: { encoder: { id: encoder.id }, suite: { ...SUITE, baselines: ["supervised"] } } })).id);
    expect(baseline.statusReason).toMatch(/^baselines: supervised trains the encoder's architecture from scratch/);
    expect(await listBenchmarkResults(t.database, { encoderId: encoder.id })).toHaveLength(4); // only the first test's
  });
});

describe("an ONNX encoder's inputs", () => {
  const spec = (shape: number[], layout: ModelSpec["layout"]) => ({ ...EXPECTED.spec, shape, layout, mean: undefined, std: undefined });

  it("lays out raw samples as the spec says: hwc as stored, chw transposed per sample", () => {
    const x = Uint8Array.from({ length: 2 * 12 }, (_, i) => i); // two 2×2 RGB images, [h, w, c]
    const view: SampleView = { source: { x, labels: null, count: 2 }, shape: [2, 2, 3], indices: Int32Array.of(1, 0) };
    expect(Array.from(samplesInLayout(view, [0], "nhwc"))).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    expect(Array.from(samplesInLayout(view, [0, 1], "nchw"))).toEqual([12, 15, 18, 21, 13, 16, 19, 22, 14, 17, 20, 23, 0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });

  it("must match the dataset's samples in the spec's layout", () => {
    expect(() => checkSpecFitsDataset(spec([1, 28, 28], "nchw"), [28, 28, 1], "fashion-mnist")).not.toThrow();
    expect(() => checkSpecFitsDataset(spec([28, 28, 1], "nhwc"), [28, 28, 1], "fashion-mnist")).not.toThrow();
    expect(() => checkSpecFitsDataset(spec([784], "flat"), [28, 28, 1], "fashion-mnist")).not.toThrow();
    expect(() => checkSpecFitsDataset(spec([3, 32, 32], "nchw"), [28, 28, 1], "fashion-mnist")).toThrow(
      "encoder expects inputs of shape [3,32,32] (nchw) but dataset fashion-mnist has samples of shape [28,28,1] (h, w, c, i.e. [1,28,28] in nchw)",
    );
    expect(() => checkSpecFitsDataset(spec([3072], "flat"), [32, 32, 3], "cifar")).toThrow(/\[32,32,3\] \(h, w, c\)$/);
    expect(() => checkSpecFitsDataset(spec([1, 28, 28], "nchw"), [54], "covertype")).toThrow(/\[54\] \(features\)$/);
  });

  it("defaults an ONNX suite to the protocols on embeddings, and refuses the rest", () => {
    expect(parseOnnxSuite({ dataset: { kind: "fashion-mnist" } })).toMatchObject({ protocols: ["linear_probe", "knn"], baselines: ["raw_linear"] });
    expect(parseOnnxSuite({ dataset: { kind: "fashion-mnist" }, protocols: ["adapter"], baselines: [] })).toMatchObject({ protocols: ["adapter"], baselines: [] });
    expect(() => parseOnnxSuite({ dataset: { kind: "fashion-mnist" }, protocols: ["finetune"] })).toThrow("protocols: finetune needs a Pretext encoder's weights; an ONNX encoder supports linear_probe, knn, adapter");
  });
});
