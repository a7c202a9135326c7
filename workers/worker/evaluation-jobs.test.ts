/**
 * Evaluate and audit jobs through the real queue and worker on PGlite: a tiny pretraining run, an
 * evaluation of its encoder, an audit; results, encoder and reports land in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { runs } from "@/drizzle/schema";
import { launchRun, type LaunchInput } from "@/server/jobs/launch";
import { createQueue } from "@/server/jobs/queue";
import { listArtifacts, readArtifactBytes } from "@/server/services/artifacts";
import { listBenchmarkResults } from "@/server/services/benchmarks";
import { listEncoders } from "@/server/registry/encoders";
import { getRun, type Run } from "@/server/services/runs";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import type { AuditReport } from "@/workers/engine/audit/run-audit";
import { registerDataset } from "@/server/services/datasets";
import { resolveDatasetSpec } from "@/workers/engine/cli-audit";
import { registeredDatasetSpec, type EvaluateJobConfig } from "./job-configs";
import { startWorker, type RunningWorker } from "./worker";
import { tinyEvalSuite, tinyPretrainConfig, TINY_SUITE_RESULTS } from "@/workers/engine/test-support/tiny-configs";

const tinySuite = tinyEvalSuite() as EvaluateJobConfig["suite"];

async function waitForRun(t: TestDatabase, runId: number, timeoutMs = 120_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(t.database, runId);
    if (run.status === "finished" || run.status === "failed" || run.status === "cancelled") return run;
    if (Date.now() > deadline) throw new Error(`timed out waiting for run ${runId} (${run.status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("evaluate and audit jobs (embedded worker, PGlite)", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  let worker: RunningWorker;
  const launch = async (input: LaunchInput) => (await launchRun(t.database, queue, input)).run;

  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    queue = await createQueue(t.database);
    worker = await startWorker({ database: t.database, queue, log: () => {} });
  });
  afterAll(async () => {
    await worker?.stop();
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("evaluates a pretraining run's encoder, then the registered encoder by id", async () => {
    const pre = await waitForRun(t, (await launch({ config: tinyPretrainConfig() })).id);
    expect(pre.status).toBe("finished");

    const config: EvaluateJobConfig = { name: "eval-tiny", encoder: { runId: pre.id }, suite: { ...tinySuite, encoderName: "tiny-encoder" } };
    const evaluation = await waitForRun(t, (await launch({ kind: "evaluate", experiment: "evaluation", config })).id);
    expect(evaluation.status, evaluation.statusReason ?? "").toBe("finished");
    expect(evaluation.jobKind).toBe("evaluate");
    const results = await listBenchmarkResults(t.database, { runId: evaluation.id });
    expect(results).toHaveLength(TINY_SUITE_RESULTS);
    const [encoder] = await listEncoders(t.database, { name: "tiny-encoder" });
    expect(encoder).toMatchObject({ version: 1, runId: pre.id }); // lineage: the pretraining run
    expect(results.filter((r) => r.encoderId === encoder.id).map((r) => r.method).sort()).toEqual(["adapter", "finetune", "fixmatch", "knn_k5", "linear_probe"]);
    const report = JSON.parse(new TextDecoder().decode(await readArtifactBytes(t.database, evaluation.id, "benchmark.json")));
    expect(report.results).toHaveLength(TINY_SUITE_RESULTS);
    const map = JSON.parse(new TextDecoder().decode(await readArtifactBytes(t.database, evaluation.id, "embeddings-2d.json")));
    expect(map).toMatchObject({ method: "pca", encoder: { id: encoder.id, name: "tiny-encoder", version: 1 } });
    expect(map.points).toHaveLength(200); // the whole (limited) test set
    expect(map.points.every((p: { x: number; y: number; label: number }) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.label >= 0 && p.label < 10)).toBe(true);
    expect(map.explained_variance[0]).toBeGreaterThanOrEqual(map.explained_variance[1]);

    // by id: the results belong to that encoder, no new version is registered
    const again = await waitForRun(t, (await launch({ kind: "evaluate", config: { encoder: { id: encoder.id }, suite: tinySuite } })).id);
    expect(again.status, again.statusReason ?? "").toBe("finished");
    expect((await listBenchmarkResults(t.database, { runId: again.id })).filter((r) => r.encoderId !== null).every((r) => r.encoderId === encoder.id)).toBe(true);
    expect(await listEncoders(t.database, { name: "tiny-encoder" })).toHaveLength(1);
  });

  it("refuses an evaluate job with a bad config at launch, and fails one whose encoder is unknown at once", async () => {
    await expect(launch({ kind: "evaluate", config: { encoder: { runId: 1 }, suite: { ...tinySuite, fractions: [2] } } })).rejects.toThrow(/config\.suite\.fractions\.0: must be <= 1/);
    const missing = await waitForRun(t, (await launch({ kind: "evaluate", config: { encoder: { id: 999 }, suite: tinySuite } })).id);
    expect(missing.status).toBe("failed");
    expect(missing.statusReason).toMatch(/encoder 999 not found/);
  });

  it("queues the evaluation a pretraining config requests: at epoch 1 and for the final encoder", async () => {
    const { dataset: _dataset, ...suite } = tinySuite;
    const pre = await waitForRun(t, (await launch({ config: tinyPretrainConfig({ name: "tiny-evaluated", epochs: 2, evaluation: { ...suite, atEpochs: [1] } }) })).id);
    expect(pre.status, pre.statusReason ?? "").toBe("finished");
    const children = async () => {
      const ids = await t.database.db.select({ id: runs.id }).from(runs).where(eq(runs.parentRunId, pre.id));
      return Promise.all(ids.map(({ id }) => getRun(t.database, id)));
    };
    const evaluations = await (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const runs = await children();
        if (runs.length === 2 && runs.every((r) => r.status === "finished" || r.status === "failed")) return runs;
        if (Date.now() > deadline) throw new Error(`evaluations did not finish: ${runs.map((r) => r.status)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const byEpoch = new Map(evaluations.map((r) => [r.tags.pretrain_epoch, r]));
    expect([...byEpoch.keys()].sort()).toEqual(["1", "2"]);
    expect(byEpoch.get("1")!.tags.pretrain_step).toBe("4"); // 256 samples / batch 64
    expect(byEpoch.get("2")!.tags.pretrain_step).toBe("8");
    expect(evaluations.map((r) => [r.jobKind, r.status])).toEqual([["evaluate", "finished"], ["evaluate", "finished"]]);
    // each evaluation registered a version of the run's encoder, linked to the artifact it evaluated
    const versions = await listEncoders(t.database, { name: "tiny-evaluated" });
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => v.runId === pre.id)).toBe(true);
    const artifacts = (await listArtifacts(t.database, pre.id)).map((a) => a.name);
    expect(artifacts).toEqual(expect.arrayContaining(["encoder-epoch-1.ptx", "encoder.ptx"]));
    for (const r of evaluations) expect(await listBenchmarkResults(t.database, { runId: r.id })).toHaveLength(TINY_SUITE_RESULTS);
  });

  it("resolves a dataset argument: a registered dataset's name gives the spec it was loaded from", async () => {
    const spec = { kind: "idx", dir: "/data/some-mnist", name: "some-mnist" };
    await registerDataset(t.database, { name: "some-mnist", source: JSON.stringify(spec), format: "idx", checksum: "ab".repeat(16), shape: [28, 28, 1], count: 10, hasLabels: true });
    const registered = (name: string) => registeredDatasetSpec(t.database, name);
    expect(await resolveDatasetSpec("some-mnist", registered)).toEqual(spec);
    expect(await resolveDatasetSpec("fashion-mnist", registered)).toEqual({ kind: "fashion-mnist" });
    await expect(resolveDatasetSpec("nope", registered)).rejects.toThrow(/dataset nope not found/);
    await expect(resolveDatasetSpec("nope")).rejects.toThrow(/is not a dataset spec \(JSON\), "fashion-mnist", or a folder/);
  });

  it("audits a dataset as a job whose report is the artifact audit.json", async () => {
    const run = await waitForRun(t, (await launch({ kind: "audit", experiment: "audit", config: { name: "audit-fm", dataset: { kind: "fashion-mnist" }, maxNearSamples: 300, domainSamples: 100 } })).id);
    expect(run.status, run.statusReason ?? "").toBe("finished");
    expect(run.name).toBe("audit-fm");
    const report = JSON.parse(new TextDecoder().decode(await readArtifactBytes(t.database, run.id, "audit.json"))) as AuditReport;
    expect(report.dataset.parts).toEqual({ train: 60_000, test: 10_000 });
    expect(report.classBalance?.train.counts).toEqual(Array(10).fill(6000));
    expect(report.domainGap?.domainClassifierAuc).toBeGreaterThan(0);
  });
});
