/**
 * Shadow deployments on the real serving path: the candidate's answers compared with production's,
 * and the primary left alone when the candidate fails or cannot keep up.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { artifacts, shadowResults } from "@/drizzle/schema";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { preprocess } from "@/server/serving/preprocess";
import { loadEncoderModel, Serving } from "@/server/serving/serve";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { waitFor } from "@/server/testing/wait-for";
import { setShadow, shadowInput, ShadowRunner, shadowSummary, type ShadowResultRecord } from "./shadow";

let t: TestDatabase;
let serving: Serving;
let runId: number;
const images = Array.from({ length: 64 }, (_, k) => Array.from({ length: 784 }, (_, i) => (i * 7 + k * 13) % 256));

beforeAll(async () => {
  process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-shadow-test-${process.pid}`;
  t = await openTestDatabase("pglite");
  // the candidate may use all the time it needs here: the tests look at what it does, bench/shadow.ts at what it costs
  serving = new Serving(t.database, undefined, { dutyCycle: 1, maxPendingSamples: 1024 });
  const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
  runId = run.id;
  await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
  const v1 = await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  await changeStage(t.database, v1.id, { stage: "production", reason: "test" }, "ada");
  await createDeployment(t.database, { name: "fm-shadow", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada");
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await t?.drop();
});

const results = () => t.database.db.select().from(shadowResults);

describe("a shadow candidate", () => {
  it("gets a copy of every request after the primary answered, and agrees with production where it is the same network", async () => {
    await setShadow(t.database, "fm-shadow", shadowInput.parse({ version: 2 }), "ada");
    serving.invalidate();
    await serving.embed("fm-shadow", { inputs: images.slice(0, 1) }); // the candidate's config is read in the background
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 30; i++) {
      const out = await serving.embed("fm-shadow", { inputs: images.slice(i, i + 2) });
      expect(out.encoder.version).toBe(1); // the candidate never answers
    }
    await waitFor("30 mirrored requests", async () => serving.shadows.counts.mirrored >= 30, 30_000);
    await serving.log.flush();
    const rows = await results();
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.every((r) => r.version === 2 && r.error === null && r.samples === 2)).toBe(true);
    expect(Math.min(...rows.map((r) => r.cosineMin!))).toBeGreaterThan(0.9999);
    expect(rows.at(-1)!.neighbourOverlap).toBe(1);
    const summary = await shadowSummary(t.database, "fm-shadow");
    expect(summary).toMatchObject({ config: { version: 2, share: 1 }, failed: 0 });
    expect(summary.mirrored).toBe(rows.length);
    expect(summary.p99Ms).toBeGreaterThan(0);
    expect(summary.series.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("that fails (its model file is gone) records the error and changes no primary response", async () => {
    const v3 = await registerEncoder(t.database, { name: "fm", runId, artifactName: "encoder.ptx" });
    const [onnx] = await t.database.db.select().from(artifacts).where(eq(artifacts.id, v3.onnxArtifactId!));
    // the candidate's ONNX export points at a file the store does not have: loading it fails
    await t.database.db.update(artifacts).set({ storagePath: `${onnx.storagePath}.missing` }).where(eq(artifacts.id, onnx.id));
    await setShadow(t.database, "fm-shadow", shadowInput.parse({ version: 3 }), "ada");
    serving.invalidate();
    const failedBefore = serving.shadows.counts.failed;
    const reference = await serving.embed("fm-shadow", { inputs: images.slice(0, 4) });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) expect((await serving.embed("fm-shadow", { inputs: images.slice(0, 4) })).embeddings).toEqual(reference.embeddings);
    await waitFor("the candidate's failures", async () => serving.shadows.counts.failed >= failedBefore + 5, 30_000);
    await serving.log.flush();
    const failed = (await results()).filter((r) => r.version === 3);
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed.every((r) => r.error !== null && r.cosineMean === null)).toBe(true);
    await setShadow(t.database, "fm-shadow", null, "ada");
  }, 60_000);

  it("that cannot keep up is shed with a count: mirroring never waits", async () => {
    const { model, spec, encoder } = await loadEncoderModel(t.database, (await registerEncoder(t.database, { name: "fm", runId, artifactName: "encoder.ptx" })).id);
    const recorded: ShadowResultRecord[] = [];
    // a real candidate that takes 50 ms more per call than it needs
    const slow = new ShadowRunner(
      t.database,
      async (_id, raw, n) => {
        await new Promise((r) => setTimeout(r, 50));
        return model.run(preprocess(raw, n, spec), n);
      },
      (row) => recorded.push(row),
      8,
      async () => {},
      1,
    );
    await t.database.db.delete(shadowResults);
    await setShadow(t.database, "fm-shadow", shadowInput.parse({ version: encoder.version }), "ada");
    const deployment = { id: (await t.database.db.query.deployments.findFirst())!.id, name: "fm-shadow", encoderName: "fm" } as never;
    slow.mirror(deployment, -1, new Float32Array(784), 1, { embedding: new Float32Array(128), dim: 128 }, 1); // reads the config
    await new Promise((r) => setTimeout(r, 100));
    const raw = Float32Array.from(images.slice(0, 2).flat());
    const primary = await model.run(preprocess(raw, 2, spec), 2);
    const started = performance.now();
    for (let i = 0; i < 40; i++) slow.mirror(deployment, -1, raw, 2, primary, 1);
    const enqueueMs = performance.now() - started;
    expect(enqueueMs).toBeLessThan(50); // forty mirrors take less than one candidate call
    expect(slow.counts.dropped).toBe(36); // 8 pending samples: 4 requests of 2 wait, the rest are shed
    await waitFor("the 4 queued copies", async () => slow.counts.mirrored >= 4, 10_000);
    expect(recorded).toHaveLength(4);
    await model.dispose();
    await setShadow(t.database, "fm-shadow", null, "ada");
  }, 60_000);

  it("refuses a version that cannot serve, and an unknown deployment", async () => {
    await expect(setShadow(t.database, "fm-shadow", shadowInput.parse({ version: 99 }), "ada")).rejects.toThrow(/^version: encoder fm has no servable version 99/);
    await expect(setShadow(t.database, "nope", null, "ada")).rejects.toThrow(/deployment "nope" not found/);
    expect(shadowInput.safeParse({ version: 2, share: 2 }).success).toBe(false);
  });
});

describe("a shadow candidate's budget", () => {
  it("sheds copies once the candidate has used its share of the second", async () => {
    const { model, spec } = await loadEncoderModel(t.database, (await registerEncoder(t.database, { name: "fm", runId, artifactName: "encoder.ptx" })).id);
    const frugal = new ShadowRunner(t.database, async (_id, raw, n) => {
      await new Promise((r) => setTimeout(r, 30)); // 30 ms a copy: past a 1 % budget (10 ms a second) after the first
      return model.run(preprocess(raw, n, spec), n);
    }, () => {}, 1024, async () => {}, 0.01);
    const deployment = { id: (await t.database.db.query.deployments.findFirst())!.id, name: "fm-shadow", encoderName: "fm" } as never;
    const versionRow = await registerEncoder(t.database, { name: "fm", runId, artifactName: "encoder.ptx" });
    await setShadow(t.database, "fm-shadow", shadowInput.parse({ version: versionRow.version }), "ada");
    frugal.mirror(deployment, -1, new Float32Array(784), 1, { embedding: new Float32Array(128), dim: 128 }, 1); // reads the config
    await new Promise((r) => setTimeout(r, 100));
    const raw = Float32Array.from(images[0]);
    const primary = await model.run(preprocess(raw, 1, spec), 1);
    frugal.mirror(deployment, -1, raw, 1, primary, 1);
    await waitFor("the first copy", async () => frugal.counts.mirrored === 1, 10_000);
    // the budget (about 10 ms in the last second) is spent: the next copies are shed
    for (let i = 0; i < 5; i++) frugal.mirror(deployment, -1, raw, 1, primary, 1);
    expect(frugal.counts.dropped).toBe(5);
    await model.dispose();
    await setShadow(t.database, "fm-shadow", null, "ada");
  }, 60_000);
});
