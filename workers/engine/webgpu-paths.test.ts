/**
 * The training and evaluation paths on WebGPU against the same runs on wasm: pretraining a CNN
 * (augmentations, encoder, loss, gradients, Adam, checkpoints) and an evaluation suite with every
 * protocol and baseline, on Pretext's WebGPU kernels. In CI the adapter is Mesa's software
 * llvmpipe (slow, so the runs are small); without one CI fails.
 */
import { describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import type { PretrainConfigInput } from "./config";
import { runEvaluationSuite } from "./eval/run-suite";
import type { EvalSuiteInput } from "./eval/suite";
import { MemoryTracker } from "./test-support/memory-tracker";
import { pretrain } from "./train/pretrain";

const webgpu = await initBackend("webgpu").then((b) => b, (err: Error) => err.message);
if (typeof webgpu === "string" && process.env.CI) throw new Error(`CI needs a WebGPU adapter: ${webgpu}`);

const pretrainConfig = (backend: "wasm" | "webgpu"): PretrainConfigInput => ({
  backend,
  dataset: { kind: "fashion-mnist" },
  data: { limit: 512 },
  encoder: { kind: "cnn", channels: [8, 16], embeddingDim: 32 },
  method: { name: "simclr", temperature: 0.5 },
  optimizer: { name: "adam", lr: 0.003 },
  batchSize: 64,
  epochs: 2,
  seed: 3,
});

const NET = { maxSteps: 20, evalEvery: 10, lrs: [1e-3] };
const suite = (backend: "wasm" | "webgpu"): EvalSuiteInput => ({
  backend,
  dataset: { kind: "fashion-mnist" },
  fractions: [0.1],
  seeds: [0],
  trainLimit: 1000,
  testLimit: 300,
  knn: { k: [10] },
  linearProbe: { l2Grid: [1e-2], maxSteps: 100, minSteps: 50 },
  adapter: NET,
  finetune: NET,
  fixmatch: { maxSteps: 20, unlabeledBatchSize: 32 },
  supervised: NET,
  // the full procedure (both policies, cross-validated), with one weight decay to stay small on a software adapter
  selection: { weightDecays: [5e-4], cvFolds: 2 },
});

describe.skipIf(typeof webgpu === "string")("training and evaluation on WebGPU", () => {
  let encoder: Uint8Array;

  it("pretrains a SimCLR CNN along the wasm run's loss curve from the same seed, recording the adapter", { timeout: 300_000 }, async () => {
    const onWasm = await pretrain(pretrainConfig("wasm"));
    const tracker = new MemoryTracker();
    const onGpu = await pretrain(pretrainConfig("webgpu"), { tracker });
    encoder = onGpu.encoder;
    expect(tracker.statuses.map((s) => s.status)).toEqual(["running", "finished"]);
    expect(tracker.execution).toMatchObject({ backend: "webgpu", device: (webgpu as { device: string }).device });
    const wasmLoss = onWasm.history.steps.map((s) => s.loss);
    const gpuLoss = onGpu.history.steps.map((s) => s.loss);
    expect(gpuLoss).toHaveLength(16);
    // Same data, augmentations and initial weights: the first loss agrees to float rounding, and
    // rounding differences compound only slowly over 16 steps.
    expect(gpuLoss[0]).toBeCloseTo(wasmLoss[0], 4);
    gpuLoss.forEach((l, i) => expect(Math.abs(l - wasmLoss[i])).toBeLessThan(0.02 * wasmLoss[i]));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(gpuLoss.slice(-4))).toBeLessThan(mean(gpuLoss.slice(0, 4)) - 0.05);
    expect(onGpu.history.health.every((h) => Number.isFinite(h.effectiveRank))).toBe(true);
  });

  it("evaluates that encoder with every protocol and baseline as wasm does", { timeout: 300_000 }, async () => {
    const onWasm = await runEvaluationSuite(suite("wasm"), encoder);
    const tracker = new MemoryTracker();
    const onGpu = await runEvaluationSuite(suite("webgpu"), encoder, tracker);
    expect(onGpu.status).toBe("finished");
    expect(tracker.execution.backend).toBe("webgpu");
    const byMethod = (r: typeof onGpu) => Object.fromEntries(r.results.map((x) => [x.method, x.value]));
    const gpu = byMethod(onGpu);
    const cpu = byMethod(onWasm);
    expect(Object.keys(gpu).sort()).toEqual(["adapter", "finetune", "fixmatch", "knn_k10", "linear_probe", "raw_linear", "supervised"]);
    // float rounding can flip a few of the 300 test predictions, nothing more
    for (const [method, value] of Object.entries(gpu)) expect(Math.abs(value - cpu[method]), method).toBeLessThanOrEqual(0.02);
  });
});
