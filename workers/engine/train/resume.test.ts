import { describe, expect, it } from "vitest";
import type { PretrainConfigInput } from "../config";
import { decodeTrainingState } from "./checkpoint";
import { pretrain } from "./pretrain";

/** Tiny runs on the CPU backend: 6 steps of 32 Fashion-MNIST images with a small MLP. */
function tinyConfig(method: PretrainConfigInput["method"], optimizer: PretrainConfigInput["optimizer"]): PretrainConfigInput {
  return {
    backend: "cpu",
    dataset: { kind: "fashion-mnist" },
    data: { limit: 256 },
    encoder: { kind: "mlp", hidden: [32], embeddingDim: 16 },
    method,
    optimizer,
    schedule: { warmupSteps: 2 },
    batchSize: 32,
    epochs: 1,
    maxSteps: 6,
    curriculum: { enabled: true, start: 0.5, rampFraction: 0.5 },
    checkpoint: { everySteps: 2 },
    health: { probeSize: 32 },
    seed: 3,
  };
}

describe("resume from checkpoint", () => {
  it.each([
    ["MoCo (EMA key encoder + queue, SGD momentum)", tinyConfig({ name: "moco", queueSize: 64, momentum: 0.9 }, { name: "sgd", lr: 0.05 })],
    ["BYOL (EMA target, AdamW)", tinyConfig({ name: "byol", projector: { hidden: [16], outDim: 8 }, predictor: { hidden: [16], outDim: 8 } }, { name: "adamw", lr: 0.01, weightDecay: 0.01 })],
    ["SimCLR with accumulation (Adam)", { ...tinyConfig({ name: "simclr", head: { hidden: [16], outDim: 8 } }, { name: "adam", lr: 0.01 }), batchSize: 16, accumulationSteps: 2 }],
  ])("%s continues with exactly the losses of an uninterrupted run", async (_name, cfg) => {
    const full = await pretrain(cfg);
    const interrupted = await pretrain(cfg, { stopAfterStep: 3 });
    expect(interrupted.status).toBe("stopped");
    expect(interrupted.stepsDone).toBe(3);
    expect(decodeTrainingState(interrupted.checkpoint).meta.step).toBe(3);

    const resumed = await pretrain(cfg, { resume: interrupted.checkpoint });
    expect(resumed.history.steps.map((s) => s.step)).toEqual([3, 4, 5]);
    const expected = full.history.steps.slice(3).map((s) => s.loss);
    const actual = resumed.history.steps.map((s) => s.loss);
    for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], 6);
    expect(Buffer.from(resumed.encoder).equals(Buffer.from(full.encoder))).toBe(true);
  });

  it("refuses a checkpoint of a different configuration", async () => {
    const cfg = tinyConfig({ name: "simclr" }, { name: "adam", lr: 0.01 });
    const run = await pretrain({ ...cfg, maxSteps: 1 });
    await expect(pretrain({ ...cfg, encoder: { kind: "mlp", hidden: [8], embeddingDim: 16 } }, { resume: run.checkpoint })).rejects.toThrow(
      /different configuration/,
    );
  });
});
