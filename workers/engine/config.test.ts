import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parsePretrainConfig } from "./config";

const base = {
  dataset: { kind: "fashion-mnist" },
  encoder: { kind: "cnn" },
  method: { name: "simclr" },
  optimizer: { name: "adamw", lr: 0.001 },
};

function errorOf(input: unknown): ConfigError {
  try {
    parsePretrainConfig(input);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error("expected the config to be rejected");
}

describe("pretraining config", () => {
  it("fills defaults", () => {
    const cfg = parsePretrainConfig(base);
    expect(cfg.batchSize).toBe(256);
    expect(cfg.precision).toBe("float32");
    expect(cfg.method).toMatchObject({ name: "simclr", temperature: 0.5, head: { outDim: 64 } });
    expect(cfg.encoder).toEqual({ kind: "cnn", channels: [32, 64], embeddingDim: 128 });
    expect(cfg.health.probeSize).toBe(256);
    expect(cfg.augment.crop).toBe(1);
  });

  it("rejects float16 with a clear reason", () => {
    const err = errorOf({ ...base, precision: "float16" });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/precision: precision float16 is not supported: TensorFlow.js has no float16/);
  });

  it("names the path of each bad field", () => {
    const err = errorOf({ ...base, batchSize: 1, optimizer: { name: "adamw", lr: -1 }, method: { name: "simclr", temperature: 0.001 } });
    expect(err.message).toMatch(/batchSize: batchSize must be ≥ 2/);
    expect(err.message).toMatch(/optimizer\.lr: /);
    expect(err.message).toMatch(/method\.temperature: temperature must be ≥ 0\.01/);
    expect(err.zodError.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["batchSize", "optimizer.lr", "method.temperature"]),
    );
  });

  it("rejects unknown methods, unknown fields and illegal hyperparameters", () => {
    expect(errorOf({ ...base, method: { name: "dino" } }).message).toMatch(/method\.name/);
    expect(errorOf({ ...base, bathSize: 64 }).message).toMatch(/bathSize/);
    expect(errorOf({ ...base, method: { name: "moco", momentum: 1 } }).message).toMatch(/method\.momentum: momentum must be < 1/);
    expect(errorOf({ ...base, method: { name: "masked", maskRatio: 1 } }).message).toMatch(/method\.maskRatio/);
    expect(
      errorOf({ ...base, method: { name: "byol", projector: { outDim: 32 }, predictor: { outDim: 16 } } }).message,
    ).toMatch(/method\.predictor\.outDim: predictor\.outDim must equal projector\.outDim/);
    expect(errorOf({ ...base, method: { name: "multitask", tasks: [{ weight: 1, method: { name: "simclr" } }] } }).message).toMatch(
      /method\.tasks: a multi-task objective needs at least two tasks/,
    );
  });

  it("takes an evaluation request, checking its suite fields and epochs", () => {
    const cfg = parsePretrainConfig({ ...base, epochs: 4, evaluation: { fractions: [0.01, 0.1], atEpochs: [1, 2] } });
    expect(cfg.evaluation).toMatchObject({ fractions: [0.01, 0.1], atEpochs: [1, 2], seeds: [0, 1, 2] });
    expect(cfg.evaluation?.dataset).toBeUndefined(); // the run's own dataset
    expect(errorOf({ ...base, epochs: 4, evaluation: { atEpochs: [4] } }).message).toMatch(/evaluation\.atEpochs\.0: must be < epochs \(4\)/);
    expect(errorOf({ ...base, evaluation: { fractions: [1.5] } }).message).toMatch(/evaluation\.fractions\.0: must be <= 1/);
    expect(errorOf({ ...base, evaluation: { protocols: ["svm"] } }).message).toMatch(/evaluation\.protocols\.0/);
  });

  it("accepts every example config", () => {
    const dir = path.join(__dirname, "configs");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(() => parsePretrainConfig(JSON.parse(readFileSync(path.join(dir, f), "utf8")))).not.toThrow();
  });
});
