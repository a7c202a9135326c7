import { count } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "@/drizzle/schema";
import { createCaller } from "@/server/api/root";
import { PretextError } from "@/server/errors";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { getRun } from "@/server/services/runs";
import { cancelRun, launchRun, type LaunchInput } from "./launch";
import { createQueue } from "./queue";
import { launchSweep } from "./sweeps";

/** A valid pretraining config (the launch page's example, small). */
const good = {
  name: "checked",
  dataset: { kind: "fashion-mnist" },
  data: { limit: 256 },
  encoder: { kind: "cnn", channels: [8, 16], embeddingDim: 16 },
  method: { name: "simclr", temperature: 0.5 },
  optimizer: { name: "adam", lr: 0.001 },
  batchSize: 64,
  epochs: 1,
};

describe.each(DATABASE_KINDS)("launching a run on %s: a bad config is refused before anything is stored", (kind) => {
  let t: TestDatabase;
  let queue: PgBoss;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    queue = await createQueue(t.database);
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  const stored = async () => ({ runs: (await t.database.db.select({ n: count() }).from(runs))[0].n, jobs: await queue.getQueueSize("runs") });

  /** launchRun refuses the input with a 400 whose message matches, and stores no run and queues no job. */
  async function refused(input: LaunchInput, message: RegExp) {
    const before = await stored();
    const err = await launchRun(t.database, queue, input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PretextError);
    expect((err as PretextError).status).toBe(400);
    expect((err as PretextError).message).toMatch(message);
    expect((err as PretextError).message).not.toMatch(/"code"|^\[/); // never zod's JSON dump
    expect(await stored()).toEqual(before);
    return (err as PretextError).message;
  }

  it("leaves no queued run behind when the queue refuses the job", async () => {
    // pg-boss answers null for a job it does not create (e.g. a singleton already queued)
    const refusing = { send: async () => null } as unknown as PgBoss;
    const before = await stored();
    const err = await launchRun(t.database, refusing, { config: good }).then(() => null, (e: PretextError) => e);
    expect(err?.message).toMatch(/the queue refused the pretrain job; nothing was stored/);
    expect(await stored()).toEqual(before);
  });

  it("names the bad field of a pretraining config", async () => {
    await refused({ config: { ...good, optimizer: { name: "adam", lr: -1 } } }, /^config\.optimizer\.lr: Too small: expected number to be >0$/);
    await refused({ config: { ...good, encoder: { kind: "cnn", channels: [8, 0] } } }, /^config\.encoder\.channels\.1: Too small: expected number to be >0$/);
    await refused({ config: { ...good, batchSize: 1 } }, /^config\.batchSize: batchSize must be ≥ 2/);
    await refused({ config: { ...good, method: { name: "simclr", temperature: 0 } } }, /^config\.method\.temperature: temperature must be ≥ 0\.01/);
    await refused({ config: { ...good, optimizer: { name: "adagrad", lr: 0.1 } } }, /^config\.optimizer\.name: /);
    await refused({ config: { ...good, epochs: 2, evaluation: { atEpochs: [2] } } }, /^config\.evaluation\.atEpochs\.0: must be < epochs \(2\)/);
    await refused({ config: { ...good, typo: 1 } }, /^config: Unrecognized key: "typo"$/);
    // every problem at once, each with its field
    const all = await refused({ config: { ...good, batchSize: 0, data: { limit: -5 } } }, /^config\.data\.limit: .*; config\.batchSize: /);
    expect(all.split("; ")).toHaveLength(2);
  });

  it("refuses a sweep trial's config the same way", async () => {
    await refused({ kind: "sweep-trial", config: { ...good, optimizer: { name: "sgd", lr: 0 } } }, /^config\.optimizer\.lr: Too small/);
  });

  it("names a too-long run name as a field, not as a dump", async () => {
    await refused({ config: { ...good, name: "x".repeat(201) } }, /^config\.name: must be at most 200 characters$/);
    await refused({ name: "y".repeat(201), config: good }, /^name: must be at most 200 characters$/);
    await refused({ config: { ...good, name: "" } }, /^config\.name: must not be empty$/);
    await refused({ config: { ...good, name: "a\u0000b" } }, /^config\.name: must not contain control characters$/);
  });

  it("refuses a parent id beyond PostgreSQL's integer range, too many tags and a config over 1 MiB", async () => {
    await refused({ parentRunId: 2 ** 31, config: good }, /^parentRunId: must be a run id, at most 2147483647$/);
    await refused({ tags: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`t${i}`, "v"])), config: good }, /^tags: must have at most 1000 tags/);
    await refused({ config: { ...good, notes: "x".repeat(1024 * 1024) } }, /config: must be at most 1048576 bytes/);
  });

  it("checks evaluate and audit configs (workers/worker/job-configs.ts) at launch too", async () => {
    const suite = { dataset: { kind: "fashion-mnist" }, seeds: [0] };
    await refused({ kind: "evaluate", config: { encoder: { runId: 1 }, suite: { ...suite, fractions: [2] } } }, /^config\.suite\.fractions\.0: must be <= 1$/);
    await refused({ kind: "evaluate", config: { encoder: { runId: 1 } } }, /^config\.suite: /);
    await refused({ kind: "audit", config: { dataset: { kind: "fashion-mnist" }, nearThreshold: 2 } }, /^config\.nearThreshold: Too big: expected number to be <=1$/);
    await refused({ kind: "audit", config: { dataset: { kind: "folder" } } }, /^config\.dataset\.kind: /);
  });

  it("still launches a valid config, as given (defaults are the worker's to apply)", async () => {
    const before = await stored();
    const { run, jobId } = await launchRun(t.database, queue, { experiment: "checked", config: good });
    expect(run).toMatchObject({ name: "checked", status: "queued", jobKind: "pretrain", jobId, config: good });
    const evaluation = await launchRun(t.database, queue, { kind: "evaluate", config: { encoder: { runId: run.id }, suite: { dataset: { kind: "fashion-mnist" } } } });
    expect(evaluation.run.jobKind).toBe("evaluate");
    expect(await stored()).toEqual({ runs: before.runs + 2, jobs: before.jobs + 2 });
  });

  it("answers tRPC with the same message (BAD_REQUEST), never zod's JSON", async () => {
    const caller = createCaller({ database: t.database, headers: new Headers() });
    const before = await stored();
    await expect(caller.runs.launch({ kind: "pretrain", experiment: "ui", config: { ...good, optimizer: { name: "adam", lr: -1 } } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "config.optimizer.lr: Too small: expected number to be >0",
    });
    await expect(caller.runs.launch({ experiment: "z".repeat(300), config: good })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "experiment: must be at most 200 characters" });
    await expect(caller.runs.launchSweep({ base: good, budget: 2, parameters: { "optimizer.lr": { values: [0.01, -1] } } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "parameters.optimizer.lr: value -1: Too small: expected number to be >0",
    });
    expect(await stored()).toEqual(before);
  });

  it("refuses a sweep whose trials would be bad configs, naming the parameter or the base field; nothing stored", async () => {
    const before = await stored();
    const sweep = (over: Record<string, unknown>) => launchSweep(t.database, queue, { name: "s", base: good, budget: 4, parameters: { "optimizer.lr": { values: [0.01, 0.001] } }, ...over });
    await expect(sweep({ parameters: { "optimizer.lr": { values: [0.01, -1] } } })).rejects.toThrow(/^parameters\.optimizer\.lr: value -1: Too small: expected number to be >0$/);
    await expect(sweep({ base: { ...good, encoder: { kind: "cnn", channels: [8, -16] } } })).rejects.toThrow(/^base\.encoder\.channels\.1: Too small: expected number to be >0$/);
    await expect(sweep({ parameters: { "optimizer.momentum": { values: [0.9] } } })).rejects.toThrow(/^parameters\.optimizer\.momentum: value 0\.9: optimizer: Unrecognized key: "momentum"$/);
    await expect(sweep({ method: "random", parameters: { batchSize: { min: -64, max: -2, integer: true } } })).rejects.toThrow(/^parameters\.batchSize: value -\d+: batchSize must be ≥ 2/);
    await expect(sweep({ name: "n".repeat(199) })).rejects.toThrow(/^name: must be at most 198 characters \(the trials are named <name>-1 to <name>-4\)$/);
    expect(await stored()).toEqual(before);
    const { parent, trials } = await sweep({});
    expect(trials.map((r) => r.config)).toEqual([
      { ...good, optimizer: { name: "adam", lr: 0.01 } },
      { ...good, optimizer: { name: "adam", lr: 0.001 } },
    ]);
    expect(trials.every((r) => r.parentRunId === parent.id && r.status === "queued")).toBe(true);
  });
});

describe("cancelling a sweep", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    queue = await createQueue(t.database);
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });
  const sweep = { base: good, parameters: { "optimizer.lr": { values: [0.01, 0.001] } }, budget: 2 };

  it("cancels its queued trials with it", async () => {
    const { parent, trials } = await launchSweep(t.database, queue, sweep);
    await cancelRun(t.database, queue, parent.id);
    for (const trial of trials) expect((await getRun(t.database, trial.id)).status).toBe("cancelled");
    expect((await getRun(t.database, parent.id)).status).toBe("cancelled");
  });

  it("settles the sweep when its last open trial is cancelled before it ran", async () => {
    const { parent, trials } = await launchSweep(t.database, queue, sweep);
    await cancelRun(t.database, queue, trials[0].id);
    expect((await getRun(t.database, parent.id)).status).not.toBe("cancelled");
    await cancelRun(t.database, queue, trials[1].id);
    const settled = await getRun(t.database, parent.id);
    expect(settled.status).toBe("cancelled");
    expect(settled.statusReason).toMatch(/all 2 trials were cancelled/);
  });
});
