import { expect, it, vi } from "vitest";
import { ShardedEncoder } from "../backend/data-parallel/sharded-encoder";
import type { PretrainConfigInput } from "../config";
import { pretrain } from "./pretrain";

/** 6 steps of 32 Fashion-MNIST images on the wasm backend. */
const tinyConfig = (method: PretrainConfigInput["method"], encoder: PretrainConfigInput["encoder"]): PretrainConfigInput => ({
  backend: "wasm",
  dataset: { kind: "fashion-mnist" },
  data: { limit: 192 },
  encoder,
  method,
  optimizer: { name: "adamw", lr: 0.01, weightDecay: 0.01 },
  batchSize: 32,
  epochs: 1,
  checkpoint: { everySteps: 100 },
  health: { probeSize: 32 },
  seed: 4,
});

it.each([
  ["SimCLR, CNN", tinyConfig({ name: "simclr", head: { hidden: [16], outDim: 8 } }, { kind: "cnn", channels: [4, 8], embeddingDim: 16 })],
  ["BYOL, MLP", tinyConfig({ name: "byol", projector: { hidden: [16], outDim: 8 }, predictor: { hidden: [16], outDim: 8 } }, { kind: "mlp", hidden: [32], embeddingDim: 16 })],
  ["MoCo, MLP", tinyConfig({ name: "moco", queueSize: 64 }, { kind: "mlp", hidden: [32], embeddingDim: 16 })],
])("%s: 2 encoder workers train the same run as one thread", async (_name, cfg) => {
  const single = await pretrain(cfg);
  const parallel = await pretrain({ ...cfg, encoderWorkers: 2 });
  expect(parallel.stepsDone).toBe(6);
  const [first, ...later] = single.history.steps;
  expect(parallel.history.steps[0].loss).toBeCloseTo(first.loss, 5); // same parameters
  // Later steps drift by float summation order (Adam amplifies it where gradients are near zero).
  const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-2 * Math.abs(b));
  later.forEach((s, i) => near(parallel.history.steps[i + 1].loss, s.loss));
  parallel.history.health.forEach((h, i) => near(h.effectiveRank, single.history.health[i].effectiveRank));
});

it("a method that cannot be built fails the run with its own error and closes the workers already started", async () => {
  const close = vi.spyOn(ShardedEncoder.prototype, "close"); // observes; the real close runs
  const cfg = tinyConfig({ name: "scarf" }, { kind: "mlp", hidden: [32], embeddingDim: 16 });
  await expect(pretrain({ ...cfg, encoderWorkers: 2 })).rejects.toThrow(/SCARF works on tabular rows/);
  expect(close).toHaveBeenCalledTimes(1);
  close.mockRestore();
});
