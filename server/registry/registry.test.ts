import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { recordBenchmarkResults } from "@/server/services/benchmarks";
import { readArtifactBytes, uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment, deploymentTraffic, listDeployments } from "@/server/serving/deployments";
import { Serving } from "@/server/serving/serve";
import { registerEncoder } from "./encoders";
import { describeZodError } from "@/server/errors";
import { changeStage, setGate, stageChangeInput } from "./promotion";
import { compareVersions, encoderLineage, encoderVersions, listEncoderNames } from "./versions";
import { createHash } from "node:crypto";

const SIMCLR = readFileSync("examples/encoders/fashion-mnist-simclr.ptx");
const TORCH = readFileSync("examples/onnx/torch-fashion-cnn.onnx");
const TORCH_SPEC = JSON.parse(readFileSync("examples/onnx/torch-fashion-cnn.expected.json", "utf8")).spec;

const result = (encoderId: number | null, method: string, seed: number, value: number) => ({
  encoderId,
  benchmark: "label-efficiency/fashion-mnist",
  method,
  labelFraction: 0.01,
  seed,
  metric: "test_accuracy",
  value,
});

describe.each(DATABASE_KINDS)("encoder registry on %s", (kind) => {
  let t: TestDatabase;
  let serving: Serving;
  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-registry-test-${process.pid}`;
    t = await openTestDatabase(kind);
    serving = new Serving(t.database);
  });
  afterAll(async () => {
    await serving?.close();
    await t?.drop();
  });

  async function pretrainRun() {
    const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
    await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", SIMCLR);
    return run;
  }

  it("registers a Pretext encoder with its ONNX export stored beside it (sha256) and the spec to call it", async () => {
    const run = await pretrainRun();
    const v1 = await registerEncoder(t.database, { name: "simclr-fm", runId: run.id, artifactName: "encoder.ptx" });
    expect(v1).toMatchObject({ version: 1, format: "pretext", embeddingDim: 128, stage: "none" });
    expect(v1.modelSpec).toMatchObject({ shape: [28, 28, 1], layout: "nhwc", scale: 1 / 255 });
    const lineage = await encoderLineage(t.database, v1.id);
    expect(lineage.run).toMatchObject({ id: run.id });
    expect(lineage.weights).toMatchObject({ name: "encoder.ptx" });
    expect(lineage.onnx).toMatchObject({ name: "exports/simclr-fm-v1.onnx", kind: "onnx" });
    const onnx = await readArtifactBytes(t.database, run.id, "exports/simclr-fm-v1.onnx");
    expect(lineage.onnx!.sha256).toBe(createHash("sha256").update(onnx).digest("hex"));
  });

  it("registers a PyTorch ONNX model with its spec, and refuses what does not fit", async () => {
    const run = await createRun(t.database, { experiment: "torch", status: "finished" });
    await uploadArtifact(t.database, run.id, "model.onnx", "onnx", TORCH);
    await uploadArtifact(t.database, run.id, "notes.txt", "file", new TextEncoder().encode("not a model"));
    const byo = await registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "model.onnx", modelSpec: TORCH_SPEC });
    expect(byo).toMatchObject({ format: "onnx", onnxArtifactId: byo.artifactId, embeddingDim: 64 });
    await expect(registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "model.onnx" })).rejects.toThrow(/modelSpec: required/);
    await expect(registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "model.onnx", modelSpec: { ...TORCH_SPEC, inputName: "input" } })).rejects.toThrow(/inputName/);
    await expect(registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "model.onnx", modelSpec: { ...TORCH_SPEC, shape: [1, 32, 32] } })).rejects.toThrow(/shape/);
    await expect(registerEncoder(t.database, { name: "torch-fm", runId: run.id, artifactName: "notes.txt", modelSpec: TORCH_SPEC })).rejects.toThrow(/not an ONNX model/);
    expect((await encoderVersions(t.database, "torch-fm")).versions).toHaveLength(1);
  });

  it("promotes past the gate only with the results it asks for, archives the version it replaces, and records who and why", async () => {
    const run = await pretrainRun();
    const v1 = await registerEncoder(t.database, { name: "gated", runId: run.id, artifactName: "encoder.ptx" });
    const v2 = await registerEncoder(t.database, { name: "gated", runId: run.id, artifactName: "encoder.ptx" });
    await setGate(t.database, { encoderName: "gated", rules: [{ method: "linear_probe", labelFraction: 0.01, baseline: "supervised", margin: 0.02, metric: "test_accuracy" }] }, "ada");
    await expect(changeStage(t.database, v1.id, { stage: "production", reason: "first" }, "ada")).rejects.toThrow(/does not meet its promotion gate: no benchmark results/);

    const evalRun = await createRun(t.database, { experiment: "evaluation" });
    // probe 0.80/0.81/0.82 (mean 0.81) against supervised 0.78/0.80 (mean 0.79): 0.81 < 0.79 + 0.02 + a hair
    await recordBenchmarkResults(t.database, evalRun.id, [result(v1.id, "linear_probe", 0, 0.8), result(v1.id, "linear_probe", 1, 0.81), result(v1.id, "linear_probe", 2, 0.815), result(null, "supervised", 0, 0.78), result(null, "supervised", 1, 0.8)]);
    await expect(changeStage(t.database, v1.id, { stage: "production", reason: "first" }, "ada")).rejects.toThrow(/linear_probe 0\.8083 \(mean of 3\) < 0\.81 \(supervised \+ 0\.02\)/);
    await recordBenchmarkResults(t.database, evalRun.id, [result(v1.id, "linear_probe", 3, 0.9)]);
    const promoted = await changeStage(t.database, v1.id, { stage: "production", reason: "beats supervised" }, "ada");
    expect(promoted.stage).toBe("production");

    // v2 has the same weights, so v1's results count for it too
    await changeStage(t.database, v2.id, { stage: "production", reason: "same weights, new version" }, "bob");
    const lineage1 = await encoderLineage(t.database, v1.id);
    expect(lineage1.encoder.stage).toBe("archived");
    expect(lineage1.history.map((h) => [h.fromStage, h.toStage, h.actor])).toEqual([
      ["production", "archived", "bob"],
      ["none", "production", "ada"],
    ]);
    expect(lineage1.history[1].gateChecks[0]).toMatchObject({ passed: true, required: 0.81 });
    expect(lineage1.history[0].reason).toMatch(/replaced by v2/);
    await expect(changeStage(t.database, v2.id, { stage: "production", reason: "again" }, "ada")).rejects.toThrow(/already in production/);
    // input is checked at the edge (REST readInput, tRPC .input) with the service's schema
    expect(describeZodError(stageChangeInput.safeParse({ stage: "archived", reason: " " }).error!)).toMatch(/reason: must say why/);
    expect(describeZodError(stageChangeInput.safeParse({ stage: "live", reason: "x" }).error!)).toMatch(/stage/);
    const names = await listEncoderNames(t.database);
    expect(names.find((n) => n.name === "gated")).toMatchObject({ versions: 2, latest: 2, production: 2 });
  });

  it("compares two versions: means over seeds, the difference and its standard error", async () => {
    const run = await pretrainRun();
    const a = await registerEncoder(t.database, { name: "cmp", runId: run.id, artifactName: "encoder.ptx" });
    const otherRun = await pretrainRun();
    const b = await registerEncoder(t.database, { name: "cmp", runId: otherRun.id, artifactName: "encoder.ptx" });
    const evalRun = await createRun(t.database, { experiment: "evaluation" });
    // a: 0.70, 0.72 (mean 0.71, s² 0.0002); b: 0.74, 0.78, 0.76 (mean 0.76, s² 0.0004)
    await recordBenchmarkResults(t.database, evalRun.id, [result(a.id, "knn", 0, 0.7), result(a.id, "knn", 1, 0.72), result(b.id, "knn", 0, 0.74), result(b.id, "knn", 1, 0.78), result(b.id, "knn", 2, 0.76)]);
    const cmp = await compareVersions(t.database, a.id, b.id);
    expect(cmp.results).toHaveLength(1);
    expect(cmp.results[0].diff).toBeCloseTo(0.05, 10);
    expect(cmp.results[0].se).toBeCloseTo(Math.sqrt(0.0002 / 2 + 0.0004 / 3), 10);
  });

  it("serves the production version: embeddings (JSON arrays and PNG), the version that answered, and clear 4xx otherwise", async () => {
    const run = await pretrainRun();
    const v = await registerEncoder(t.database, { name: "served", runId: run.id, artifactName: "encoder.ptx" });
    await createDeployment(t.database, { name: "fm-prod", encoderName: "served", sampleRate: 1, retentionDays: 30 }, "ada");
    await expect(createDeployment(t.database, { name: "fm-prod", encoderName: "served", sampleRate: 0.01, retentionDays: 30 }, "ada")).rejects.toThrow(/already exists/);
    await expect(createDeployment(t.database, { name: "x", encoderName: "nope", sampleRate: 0.01, retentionDays: 30 }, "ada")).rejects.toThrow(/encoder nope not found/);
    await expect(serving.embed("fm-prod", { inputs: [new Array(784).fill(0)] })).rejects.toThrow(/has no version in production/);
    await changeStage(t.database, v.id, { stage: "production", reason: "no gate yet" }, "ada");
    serving.invalidate();

    const png = new PNG({ width: 28, height: 28 });
    png.data.fill(255);
    const image = PNG.sync.write(png).toString("base64");
    const pixels = new Array(784).fill(255);
    const out = await serving.embed("fm-prod", { inputs: [pixels, `data:image/png;base64,${image}`] });
    expect(out).toMatchObject({ deployment: "fm-prod", encoder: { id: v.id, name: "served", version: 1 }, dim: 128 });
    expect(["onnxruntime-node", "tfjs"]).toContain(out.runtime);
    expect(out.embeddings).toHaveLength(2);
    for (let j = 0; j < 128; j++) expect(out.embeddings[1][j]).toBeCloseTo(out.embeddings[0][j], 4);
    expect((await listDeployments(t.database)).find((d) => d.name === "fm-prod")?.serving).toMatchObject({ id: v.id });

    await expect(serving.embed("nope", { inputs: [pixels] })).rejects.toThrow(/deployment "nope" not found/);
    await expect(serving.embed("fm-prod", { inputs: [pixels.slice(1)] })).rejects.toThrow(/inputs\.0: expected 784 numbers/);
    await expect(serving.embed("fm-prod", { inputs: [[...pixels.slice(1), "x"]] })).rejects.toThrow(/inputs\.0: value 783 must be a finite number/);
    await expect(serving.embed("fm-prod", { inputs: ["iVBORw0KGgo="] })).rejects.toThrow(/inputs\.0: undecodable image/);
    await expect(serving.embed("fm-prod", { inputs: new Array(1025).fill(pixels) })).rejects.toThrow(/over the limit of 1024/);
    await expect(serving.embed("fm-prod", {})).rejects.toThrow(/inputs: must be an array/);

    await serving.log.flush();
    const { query } = await import("@/server/db/sql");
    const logged = await query<{ status: number; samples: number }>(t.database, "select status, samples from inference_requests order by id");
    expect(logged.map((r) => r.status)).toEqual([409, 200, 404, 400, 400, 400, 413, 400].filter((s) => s !== 404));
    const samples = await query<{ n: number }>(t.database, "select count(*)::int as n from inference_samples");
    expect(samples[0].n).toBe(2);
    const traffic = await deploymentTraffic(t.database, (await listDeployments(t.database)).find((d) => d.name === "fm-prod")!.id);
    expect(traffic).toMatchObject({ requests: 7, failed: 6, samples: 2 });
    expect(traffic.p50Ms).toBeGreaterThan(0);
    expect(serving.processStats()).toMatchObject({ loadedVersions: [v.id], inferenceCalls: 1, samples: 2, meanBatch: 2 });

    // a new production version serves from the next request on; the one it replaced is unloaded
    const v2 = await registerEncoder(t.database, { name: "served", runId: run.id, artifactName: "encoder.ptx" });
    await changeStage(t.database, v2.id, { stage: "production", reason: "v2" }, "ada");
    serving.invalidate();
    expect((await serving.embed("fm-prod", { inputs: [pixels] })).encoder).toMatchObject({ id: v2.id, version: 2 });
    expect(serving.processStats().loadedVersions).toEqual([v2.id]);
  });
});
