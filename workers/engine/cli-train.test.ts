import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applySet, parseTrainArgs, trainCommand } from "./cli-train";
import { Rng } from "./rng";
import { MemoryTracker } from "./test-support/memory-tracker";

/** 512 rows, 12 features, 4 Gaussian clusters (the label column is the cluster). */
function writeClusteredCsv(file: string): void {
  const rng = new Rng(4);
  const centers = Array.from({ length: 4 }, () => Array.from({ length: 12 }, () => rng.normal() * 3));
  const lines = [[...Array.from({ length: 12 }, (_, j) => `f${j}`), "label"].join(",")];
  for (let r = 0; r < 512; r++) {
    const c = r % 4;
    lines.push([...centers[c].map((m) => (m + rng.normal()).toFixed(4)), `cluster${c}`].join(","));
  }
  writeFileSync(file, lines.join("\n"));
}

describe("pretext train", () => {
  it("runs the tabular SCARF example from a generated CSV with --set overrides", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-cli-"));
    const csv = path.join(dir, "rows.csv");
    writeClusteredCsv(csv);
    const tracker = new MemoryTracker();
    const out = path.join(dir, "out");
    const result = await trainCommand(
      [
        "--config", path.join(__dirname, "configs", "tabular-scarf.json"),
        "--set", `dataset.file=${csv}`,
        "--set", "backend=cpu",
        "--set", "epochs=6",
        "--set", "batchSize=64",
        "--set", "health.probeSize=64",
        "--out", out,
      ],
      tracker,
    );
    expect(result.status).toBe("finished");
    expect(result.dataset).toMatchObject({ kind: "tabular", shape: [12], classNames: ["cluster0", "cluster1", "cluster2", "cluster3"] });
    expect(result.stepsDone).toBe(6 * Math.floor((512 * 0.8) / 64)); // 20 % held out as the test part
    const losses = result.history.steps.map((s) => s.loss);
    expect(losses.slice(-3).reduce((a, b) => a + b)).toBeLessThan(losses.slice(0, 3).reduce((a, b) => a + b));
    expect(tracker.params["batchSize"]).toBe(64);
    expect(tracker.tags.method).toBe("scarf");
    expect(existsSync(path.join(out, "encoder.ptx"))).toBe(true);
    expect(existsSync(path.join(out, "checkpoint-latest.ckpt"))).toBe(true);
  });

  it("rejects a bad override with the field path", async () => {
    const cfg = path.join(__dirname, "configs", "fashion-mnist-simclr.json");
    await expect(trainCommand(["--config", cfg, "--set", "precision=float16"])).rejects.toThrow(/precision: .*no float16/);
    await expect(trainCommand(["--config", cfg, "--set", "method.temperature=0"])).rejects.toThrow(/method\.temperature/);
  });

  it("parses arguments and dotted assignments", () => {
    expect(() => parseTrainArgs([])).toThrow(/--config is required/);
    expect(() => parseTrainArgs(["--config"])).toThrow(/--config needs a value/);
    expect(() => parseTrainArgs(["--config", "a.json", "--bogus"])).toThrow(/unknown argument --bogus/);
    const cfg: Record<string, unknown> = { optimizer: { name: "adam" } };
    applySet(cfg, "optimizer.lr=0.01");
    applySet(cfg, "encoder.hidden=[64,32]");
    applySet(cfg, "name=run one");
    expect(cfg).toEqual({ optimizer: { name: "adam", lr: 0.01 }, encoder: { hidden: [64, 32] }, name: "run one" });
    expect(() => applySet(cfg, "name.x=1")).toThrow(/"name" is not an object/);
    expect(() => applySet(cfg, "__proto__.x=1")).toThrow(/illegal key/);
  });
});
