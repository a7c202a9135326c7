import { describe, expect, it } from "vitest";
import { MemoryTracker } from "../test-support/memory-tracker";
import { decodeTensorFile } from "../models/tensor-file";
import { ENCODER_ARTIFACT, pretrain } from "./pretrain";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("SimCLR on Fashion-MNIST (real data, WASM backend)", () => {
  it("lowers the loss over 3 epochs of 4096 images and logs everything", async () => {
    const tracker = new MemoryTracker();
    const result = await pretrain(
      {
        backend: "wasm",
        dataset: { kind: "fashion-mnist" },
        data: { limit: 4096 },
        encoder: { kind: "mlp", hidden: [256], embeddingDim: 64 },
        method: { name: "simclr", temperature: 0.5 },
        augment: { crop: 0.6, noise: 0.3 },
        optimizer: { name: "adam", lr: 0.002 },
        schedule: { warmupSteps: 3 },
        batchSize: 256,
        epochs: 3,
        seed: 0,
      },
      { tracker },
    );
    expect(result.dataset.name).toBe("fashion-mnist");
    expect(result.stepsDone).toBe(48); // 3 epochs × 4096/256
    const losses = result.history.steps.map((s) => s.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.2);

    expect(result.history.health).toHaveLength(3); // once per epoch
    expect(result.history.health.every((h) => h.warnings.length === 0)).toBe(true);
    expect(tracker.execution.backend).toBe("wasm");
    expect(tracker.params.backend).toBe("wasm");
    expect(tracker.params["method.temperature"]).toBe(0.5);
    expect(tracker.series("loss")).toHaveLength(48);
    expect(tracker.series("loss/ntxent")).toHaveLength(48);
    expect(tracker.series("lr")[0]).toBeCloseTo(0.002 / 3, 8); // first warm-up step
    expect(tracker.series("images_per_sec").every((v) => v > 0)).toBe(true);
    expect(tracker.series("health/effective_rank")).toHaveLength(3);
    expect(tracker.statuses.map((s) => s.status)).toEqual(["running", "finished"]);
    const encoder = decodeTensorFile<{ kind: string; inputShape: number[] }>(tracker.artifacts.get(ENCODER_ARTIFACT)!.data);
    expect(encoder.meta.kind).toBe("pretext-encoder");
    expect(encoder.meta.inputShape).toEqual([28, 28, 1]);
    expect(Object.keys(encoder.tensors).sort()).toEqual(["encoder/fc1/bias", "encoder/fc1/kernel", "encoder/fc2/bias", "encoder/fc2/kernel"]);
  });

  it("raises a collapse warning tag when health crosses a threshold", async () => {
    const tracker = new MemoryTracker();
    const result = await pretrain(
      {
        backend: "cpu",
        dataset: { kind: "fashion-mnist" },
        data: { limit: 128 },
        encoder: { kind: "mlp", hidden: [16], embeddingDim: 8 },
        method: { name: "masked", maskRatio: 0.5 },
        optimizer: { name: "adam", lr: 0.001 },
        batchSize: 64,
        maxSteps: 2,
        health: { probeSize: 32, minEffectiveRank: 100 }, // impossible for d = 8
      },
      { tracker },
    );
    expect(result.history.health[0].warnings).toEqual([expect.stringMatching(/effective rank .* < 100/)]);
    expect(tracker.tags.warning).toMatch(/^collapse: effective rank/);
  });

  it("marks the run failed with the reason when training cannot start", async () => {
    const tracker = new MemoryTracker();
    await expect(
      pretrain(
        {
          backend: "cpu",
          dataset: { kind: "fashion-mnist" },
          data: { limit: 100 },
          encoder: { kind: "mlp" },
          method: { name: "simclr" },
          optimizer: { name: "adam", lr: 0.001 },
          batchSize: 128,
        },
        { tracker },
      ),
    ).rejects.toThrow(/batchSize × accumulationSteps = 128 exceeds the 100 samples/);
    expect(tracker.statuses.at(-1)).toEqual({ status: "failed", reason: expect.stringMatching(/exceeds/) });
  });
});
