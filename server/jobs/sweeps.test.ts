import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pretrainConfigSchema } from "./configs/pretrain";
import { sweepConfig, sweepSpec, sweepTrials, withField } from "./sweeps";

const base = { optimizer: { name: "adam", lr: 0.001 }, batchSize: 64 };

describe("sweep trials", () => {
  it("expands a grid in order and cuts it at the budget", () => {
    const s = sweepSpec.parse({ base, budget: 5, parameters: { "optimizer.lr": { values: [0.1, 0.01, 0.001] }, batchSize: { values: [32, 64] } } });
    expect(sweepTrials(s)).toEqual([
      { "optimizer.lr": 0.1, batchSize: 32 },
      { "optimizer.lr": 0.1, batchSize: 64 },
      { "optimizer.lr": 0.01, batchSize: 32 },
      { "optimizer.lr": 0.01, batchSize: 64 },
      { "optimizer.lr": 0.001, batchSize: 32 },
    ]);
  });

  it("draws random trials reproducibly, inside their ranges, log-uniform where asked", () => {
    const input = { base, method: "random", budget: 200, seed: 7, parameters: { "optimizer.lr": { min: 1e-4, max: 1e-1, scale: "log" }, batchSize: { min: 16, max: 256, integer: true } } };
    const a = sweepTrials(sweepSpec.parse(input));
    expect(sweepTrials(sweepSpec.parse(input))).toEqual(a);
    const lrs = a.map((t) => t["optimizer.lr"] as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // log-uniform: about a third of the draws fall in each decade
    const belowOneThousandth = lrs.filter((lr) => lr < 1e-3).length / lrs.length;
    expect(belowOneThousandth).toBeGreaterThan(0.2);
    expect(belowOneThousandth).toBeLessThan(0.47);
    expect(a.every((t) => Number.isInteger(t.batchSize))).toBe(true);
  });

  it("names the field of a bad sweep", () => {
    const grid = sweepConfig.safeParse({ base, budget: 2, parameters: { "optimizer.lr": { min: 0.1, max: 1 } } });
    expect(grid.success).toBe(false);
    expect(grid.error!.issues[0].path).toEqual(["parameters", "optimizer.lr"]);
    expect(sweepConfig.safeParse({ base, budget: 0, parameters: { x: { values: [1] } } }).error!.issues[0].path).toEqual(["budget"]);
    expect(sweepConfig.safeParse({ base, budget: 1, parameters: { "../x": { values: [1] } } }).success).toBe(false);
  });

  it("sets nested fields without touching the base", () => {
    expect(withField(base, "optimizer.lr", 0.5)).toEqual({ optimizer: { name: "adam", lr: 0.5 }, batchSize: 64 });
    expect(base.optimizer.lr).toBe(0.001);
  });

  it("ships an example whose every trial is a valid pretraining config", () => {
    const example = sweepConfig.parse(JSON.parse(readFileSync("workers/engine/configs/sweeps/lr.json", "utf8")));
    for (const trial of sweepTrials(example)) {
      let config: Record<string, unknown> = example.base;
      for (const [field, value] of Object.entries(trial)) config = withField(config, field, value);
      expect(pretrainConfigSchema.safeParse(config).error).toBeUndefined();
    }
  });
});
