import { beforeAll, describe, expect, it } from "vitest";
import { HEAD_ARTIFACT, readHeadFile } from "../../../server/registry/head-file";
import { initBackend } from "../backend";
import { buildEncoder } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { encodeTensorFile } from "../models/tensor-file";
import { Rng } from "../rng";
import { MemoryTracker } from "../test-support/memory-tracker";
import { BENCHMARK_ARTIFACT, runEvaluationSuite } from "./run-suite";

/** A randomly initialised MLP encoder in the encoder.ptx format pretraining writes. */
async function randomEncoderFile(): Promise<Uint8Array> {
  const params = new ParamSet();
  const encoder = { kind: "mlp" as const, hidden: [64], embeddingDim: 32 };
  buildEncoder(encoder, [28, 28, 1], params, "encoder", new Rng(3));
  const meta = { kind: "pretext-encoder", encoder, inputShape: [28, 28, 1], outDim: 32, method: "simclr", dataset: { name: "fashion-mnist", checksum: "x" }, steps: 0 };
  const bytes = await encodeTensorFile(meta, Object.fromEntries(params.entries()));
  params.dispose();
  return bytes;
}

beforeAll(async () => {
  await initBackend("wasm");
});

const NET = { maxSteps: 40, evalEvery: 20 };

describe("runEvaluationSuite on a Fashion-MNIST subset", () => {
  it("runs every protocol and both baselines per fraction and seed, and logs results, encoder and report", async () => {
    const tracker = new MemoryTracker();
    const progress: number[] = [];
    const result = await runEvaluationSuite(
      {
        dataset: { kind: "fashion-mnist" },
        encoderName: "test-encoder",
        fractions: [0.05, 1],
        seeds: [0, 1],
        trainLimit: 2000,
        testLimit: 500,
        knn: { k: [10] },
        linearProbe: { l2Grid: [1e-3, 1e-1], maxSteps: 300, cvFolds: 2 },
        adapter: NET,
        finetune: NET,
        fixmatch: { maxSteps: NET.maxSteps, unlabeledBatchSize: 64 },
        supervised: { ...NET, lrs: [1e-3] },
        selection: { weightDecays: [5e-4] },
      },
      await randomEncoderFile(),
      tracker,
      { onProgress: (p) => progress.push(p.done) },
    );
    const methods = ["linear_probe", "knn_k10", "adapter", "finetune", "fixmatch", "supervised", "raw_linear"];
    expect(result.status).toBe("finished");
    expect(result.results).toHaveLength(2 * 2 * methods.length);
    expect(progress.at(-1)).toBe(28);
    expect(new Set(result.results.map((r) => r.method))).toEqual(new Set(methods));
    expect(result.results.every((r) => r.value >= 0 && r.value <= 1 && r.metric === "test_accuracy")).toBe(true);
    expect(result.results.filter((r) => r.encoderId === null).map((r) => r.method).sort()).toEqual(Array(4).fill("raw_linear").concat(Array(4).fill("supervised")).sort());
    // a raw-pixel linear probe on 2000 Fashion-MNIST images is far above chance (≈ 0.78 expected)
    const raw = result.summary.find((s) => s.method === "raw_linear" && s.labelFraction === 1)!;
    expect(raw.mean).toBeGreaterThan(0.65);
    expect(raw.n).toBe(2);

    expect(tracker.encoders).toHaveLength(1);
    expect(tracker.encoders[0]).toMatchObject({ name: "test-encoder", version: 1, artifactName: "encoder.ptx", embeddingDim: 32, datasetName: "fashion-mnist" });
    expect(tracker.artifacts.has("encoder.ptx")).toBe(true);
    expect(tracker.benchmarkResults).toHaveLength(28);
    expect(tracker.benchmarkResults.filter((r) => r.encoderId !== null).every((r) => r.encoderId === result.encoderId)).toBe(true);
    const report = JSON.parse(new TextDecoder().decode(tracker.artifacts.get(BENCHMARK_ARTIFACT)!.data));
    expect(report.summary).toHaveLength(14);
    const map = JSON.parse(new TextDecoder().decode(tracker.artifacts.get("embeddings-2d.json")!.data));
    expect(map.encoder).toEqual({ id: result.encoderId, name: "test-encoder", version: 1 });
    expect(map.points).toHaveLength(500);
    expect(new Set(map.points.map((p: { label: number }) => p.label)).size).toBe(10);
    expect(tracker.series("eval/raw_linear/100pct")).toHaveLength(2);
    expect(readHeadFile(tracker.artifacts.get(HEAD_ARTIFACT)!.data).meta).toEqual({ kind: "pretext-head", method: "linear_probe", numClasses: 10, labelFraction: 1, seed: 0, inputDim: 32 });
    expect(tracker.statuses.map((s) => s.status)).toEqual(["running", "finished"]);
  });

  it("fails the run with a clear error when the encoder does not fit the dataset", async () => {
    const tracker = new MemoryTracker();
    const bytes = await randomEncoderFile();
    await expect(runEvaluationSuite({ dataset: { kind: "csv", file: "/nonexistent.csv" }, seeds: [0] }, bytes, tracker)).rejects.toThrow();
    expect(tracker.statuses.at(-1)?.status).toBe("failed");
    await expect(runEvaluationSuite({ dataset: { kind: "fashion-mnist" }, seeds: [-1] }, bytes, tracker)).rejects.toThrow(/seeds\.0/);
  });

  it("stops a network mid-training when cancelled, and reports the suite cancelled", async () => {
    const tracker = new MemoryTracker();
    const cancel = new AbortController();
    // 100,000 fine-tuning steps would take hours: the suite ends only if the network stops
    const suite = { dataset: { kind: "fashion-mnist" as const }, fractions: [1], seeds: [0], trainLimit: 1000, testLimit: 200, protocols: ["finetune" as const], baselines: [], finetune: { maxSteps: 100_000, evalEvery: 100_000, lrs: [1e-3] } };
    setTimeout(() => cancel.abort(), 3000);
    const result = await runEvaluationSuite(suite, await randomEncoderFile(), tracker, { signal: cancel.signal });
    expect(result.status).toBe("cancelled");
    expect(result.results).toEqual([]);
  });
});
