import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { LocalRunTracker } from "@/server/tracking/local-tracker";
import { createCaller } from "@/server/api/root";
import { uploadArtifact } from "./artifacts";
import { labelEfficiencyCurve, listBenchmarkResults, recordBenchmarkResults } from "./benchmarks";
import { registerDataset } from "./datasets";
import { listEncoders, registerEncoder } from "@/server/registry/encoders";
import { createRun } from "./runs";

describe.each(DATABASE_KINDS)("encoders and benchmark results on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-bench-test-${process.pid}`;
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("registers encoder versions per name with run, artifact and dataset lineage", async () => {
    const run = await createRun(t.database, { experiment: "pretrain" });
    await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
    await registerDataset(t.database, { name: "fm", source: "x", format: "idx", checksum: "a".repeat(64), shape: [28, 28, 1], count: 10, hasLabels: true });
    const base = { runId: run.id, architecture: '{"kind":"mlp"}', embeddingDim: 128 };
    const v1 = await registerEncoder(t.database, { ...base, name: "simclr-fm", artifactName: "encoder.ptx", datasetName: "fm" });
    const [v2, v3] = await Promise.all([registerEncoder(t.database, { ...base, name: "simclr-fm" }), registerEncoder(t.database, { ...base, name: "simclr-fm" })]);
    const other = await registerEncoder(t.database, { ...base, name: "byol-fm" });
    expect(v1).toMatchObject({ version: 1, runId: run.id, embeddingDim: 128 });
    expect(v1.artifactId).not.toBeNull();
    expect(v1.datasetId).not.toBeNull();
    expect([v2.version, v3.version].sort()).toEqual([2, 3]);
    expect(other.version).toBe(1);
    expect((await listEncoders(t.database, { name: "simclr-fm" })).map((e) => e.version)).toEqual([3, 2, 1]);
    await expect(registerEncoder(t.database, { ...base, name: "x", artifactName: "missing.ptx" })).rejects.toThrow(/artifact "missing.ptx"/);
    await expect(registerEncoder(t.database, { ...base, name: "x", datasetName: "nope" })).rejects.toThrow(/dataset nope not found/);
    await expect(registerEncoder(t.database, { ...base, name: "", embeddingDim: 0 })).rejects.toThrow(/name: .*embeddingDim/);
  });

  it("stores results through the tracker and serves the label-efficiency curve with baselines of the same run", async () => {
    const pre = await createRun(t.database, { experiment: "pretrain" });
    const evalRun = await createRun(t.database, { experiment: "evaluation" });
    const tracker = new LocalRunTracker(t.database, evalRun.id);
    const encoder = await tracker.registerEncoder({ name: "curve-enc", runId: pre.id, architecture: "{}", embeddingDim: 8 });
    expect(encoder.version).toBe(1);
    const row = (encoderId: number | null, method: string, labelFraction: number, seed: number, value: number) => ({
      encoderId, benchmark: "label-efficiency/fm", method, labelFraction, seed, metric: "test_accuracy", value,
    });
    // linear probe at 1 %: 0.80, 0.82, 0.84 → mean 0.82, std 0.02; at 100 %: 0.90 (one seed, std 0)
    // supervised at 1 %: 0.70, 0.74 → mean 0.72, std √((0.02² + 0.02²)/1) = 0.028284
    await tracker.logBenchmarkResults([
      row(encoder.id, "linear_probe", 0.01, 0, 0.8),
      row(encoder.id, "linear_probe", 0.01, 1, 0.82),
      row(encoder.id, "linear_probe", 0.01, 2, 0.84),
      row(encoder.id, "linear_probe", 1, 0, 0.9),
      { ...row(null, "supervised", 0.01, 0, 0.7), settings: { policy: "crop", lr: 0.002, steps: 800, budgetSteps: 10400 } },
      { ...row(null, "supervised", 0.01, 1, 0.74), settings: { policy: "crop+flip", lr: 0.002, steps: 600, budgetSteps: 10200 } },
    ]);
    // another run's baseline must not leak into this encoder's curve
    const unrelated = await createRun(t.database, { experiment: "evaluation" });
    await recordBenchmarkResults(t.database, unrelated.id, [row(null, "supervised", 0.01, 0, 0.1)]);

    const curve = await labelEfficiencyCurve(t.database, { encoderId: encoder.id });
    expect(curve.encoder).toMatchObject({ name: "curve-enc", version: 1 });
    expect(curve.benchmark).toBe("label-efficiency/fm");
    expect(curve.runIds).toEqual([evalRun.id]);
    const lp = curve.series.find((s) => s.method === "linear_probe")!;
    expect(lp.baseline).toBe(false);
    expect(lp.points.map((p) => p.labelFraction)).toEqual([0.01, 1]);
    expect(lp.points[0].mean).toBeCloseTo(0.82, 10);
    expect(lp.points[0].std).toBeCloseTo(0.02, 10);
    expect(lp.points[0].n).toBe(3);
    expect(lp.points[1]).toMatchObject({ n: 1, std: 0 });
    const sup = curve.series.find((s) => s.method === "supervised")!;
    expect(sup.baseline).toBe(true);
    expect(sup.points).toHaveLength(1);
    expect(sup.points[0].mean).toBeCloseTo(0.72, 10);
    expect(sup.points[0].std).toBeCloseTo(0.028284, 5);
    expect(sup.points[0].n).toBe(2);
    // what the seeds chose, each setting's distinct values in order
    expect(sup.points[0].settings).toEqual({ policy: "crop / crop+flip", lr: "0.002", steps: "800 / 600", budgetSteps: "10400 / 10200" });
    expect(lp.points[0].settings).toEqual({});

    const byRun = await createCaller({ database: t.database, headers: new Headers() }).benchmarks.labelEfficiency({ runId: evalRun.id });
    expect(byRun.series.map((s) => s.method).sort()).toEqual(["linear_probe", "supervised"]);
    expect(await listBenchmarkResults(t.database, { runId: evalRun.id })).toHaveLength(6);
  });

  it("rejects bad results whole, naming the field, and unknown encoders", async () => {
    const run = await createRun(t.database, { experiment: "evaluation" });
    const ok = { encoderId: null, benchmark: "b", method: "m", labelFraction: 0.1, seed: 0, metric: "test_accuracy", value: 0.5 };
    await expect(recordBenchmarkResults(t.database, run.id, [ok, { ...ok, value: Number.NaN }])).rejects.toThrow(/results\.1\.value/);
    await expect(recordBenchmarkResults(t.database, run.id, [{ ...ok, labelFraction: 2 }])).rejects.toThrow(/results\.0\.labelFraction: must be <= 1/);
    await expect(recordBenchmarkResults(t.database, run.id, [{ ...ok, encoderId: 999_999 }])).rejects.toThrow(/encoder 999999 not found/);
    await expect(recordBenchmarkResults(t.database, run.id, [{ ...ok, settings: { lr: Number.NaN } }])).rejects.toThrow(/results\.0\.settings\.lr: must be a finite number or a string/);
    await expect(recordBenchmarkResults(t.database, 999_999, [ok])).rejects.toThrow(/run 999999 not found/);
    expect(await listBenchmarkResults(t.database, { runId: run.id })).toHaveLength(0);
    await expect(labelEfficiencyCurve(t.database, {})).rejects.toThrow(/encoderId: give exactly one of encoderId and runId/);
    await expect(labelEfficiencyCurve(t.database, { encoderId: 999_999 })).rejects.toThrow(/encoder 999999 not found/);
  });
});
