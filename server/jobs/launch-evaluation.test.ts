import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun, getExperiment } from "@/server/services/runs";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { launchEvaluation } from "./launch-evaluation";
import { createQueue, queueOf } from "./queue";

describe("launching an evaluation of a run's encoder", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-launch-eval-test-${process.pid}`;
    t = await openTestDatabase("pglite");
    queue = await createQueue(t.database);
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("enqueues an evaluate job whose config names the encoder's run and the suite, dataset from the run", async () => {
    const pre = await createRun(t.database, { project: "vision", experiment: "pretrain", name: "simclr-fm", config: { dataset: { kind: "fashion-mnist" } } });
    await uploadArtifact(t.database, pre.id, "encoder.ptx", "encoder", new Uint8Array([1, 2, 3]));
    const { run, jobId } = await launchEvaluation(t.database, queue, { runId: pre.id, suite: { seeds: [0] } });
    expect(run).toMatchObject({ name: "eval-simclr-fm", status: "queued", jobKind: "evaluate", tags: { encoder_run: String(pre.id) } });
    expect(run.config).toEqual({ encoder: { runId: pre.id, artifact: "encoder.ptx" }, suite: { seeds: [0], dataset: { kind: "fashion-mnist" } } });
    expect(await getExperiment(t.database, run.experimentId)).toMatchObject({ project: "vision", name: "evaluation" });
    const job = await queue.getJobById(queueOf("evaluate"), jobId);
    expect(job?.data).toEqual({ kind: "evaluate", runId: run.id });
  });

  it("is a tRPC mutation, and refuses runs without an encoder or dataset with the reason", async () => {
    const caller = createCaller({ database: t.database, headers: new Headers() });
    const noEncoder = await createRun(t.database, { experiment: "pretrain", config: { dataset: { kind: "fashion-mnist" } } });
    await expect(caller.runs.launchEvaluation({ runId: noEncoder.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/no encoder artifact/) });
    const noDataset = await createRun(t.database, { experiment: "pretrain" });
    await uploadArtifact(t.database, noDataset.id, "encoder.ptx", "encoder", new Uint8Array([1]));
    await expect(caller.runs.launchEvaluation({ runId: noDataset.id })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^suite\.dataset: required/) });
    const ok = await caller.runs.launchEvaluation({ runId: noDataset.id, suite: { dataset: { kind: "idx", dir: "x" } } });
    expect(ok.run.config).toMatchObject({ encoder: { runId: noDataset.id } });
    await expect(caller.runs.launchEvaluation({ runId: 987654 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
