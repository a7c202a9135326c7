/**
 * Workers as real processes on a real PostgreSQL: sharing jobs, surviving a SIGKILL, cancelling;
 * and the embedded mode (worker in this process, PGlite).
 */
import { waitFor } from "@/server/testing/wait-for";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { listAttempts } from "@/server/services/attempts";
import { cancelRun, launchRun } from "@/server/jobs/launch";
import { createQueue } from "@/server/jobs/queue";
import { launchSweep, sweepSummary } from "@/server/jobs/sweeps";
import { getRun } from "@/server/services/runs";
import { readSeries } from "@/server/services/series";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { startEmbeddedWorker } from "./embedded";
import { tinyPretrainConfig } from "@/workers/engine/test-support/tiny-configs";



const attemptsOf = listAttempts;

/** Cancels the run; its worker must close the attempt as cancelled within 5 s (the promise of Cancel). */
async function cancelAndExpectStop(database: TestDatabase["database"], queue: PgBoss, runId: number) {
  const asked = Date.now();
  await cancelRun(database, queue, runId);
  const [attempt] = await waitFor("the attempt to end", async () => {
    const a = await attemptsOf(database, runId);
    return a[0]?.outcome !== "running" && a;
  }, 10_000);
  expect(attempt.outcome).toBe("cancelled");
  expect(attempt.endedAt!.getTime() - asked).toBeLessThan(5000);
}

describe("workers on PostgreSQL (separate processes)", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  const children: ChildProcess[] = [];

  function spawnWorker(name: string): ChildProcess {
    const child = spawn("node", ["bin/pretext.mjs", "worker", "--name", name], {
      env: { ...process.env, DATABASE_URL: t.url, PRETEXT_WORKER_STALE_SECONDS: "4" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", () => {});
    child.stderr!.on("data", (d) => process.stderr.write(`[${name}] ${d}`));
    children.push(child);
    return child;
  }

  async function stopWorker(child: ChildProcess) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }

  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    queue = await createQueue(t.database);
  });
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("three workers complete twelve jobs, each run exactly once", async () => {
    const workers = ["w1", "w2", "w3"].map(spawnWorker);
    const launched: Awaited<ReturnType<typeof launchRun>>[] = [];
    for (let i = 0; i < 12; i++) launched.push(await launchRun(t.database, queue, { experiment: "share", name: `job-${i}`, config: tinyPretrainConfig({ seed: i + 1 }) }));
    await waitFor("all runs finished", async () => {
      const runs = await Promise.all(launched.map(({ run }) => getRun(t.database, run.id)));
      expect(runs.filter((r) => r.status === "failed")).toEqual([]);
      const open = (await Promise.all(launched.map(({ run }) => attemptsOf(t.database, run.id)))).flat().some((a) => a.outcome === "running");
      return runs.every((r) => r.status === "finished") && !open;
    });
    const attempts = (await Promise.all(launched.map(({ run }) => attemptsOf(t.database, run.id)))).flat();
    expect(attempts).toHaveLength(12);
    expect(attempts.every((a) => a.outcome === "finished")).toBe(true);
    expect(new Set(attempts.map((a) => a.jobId)).size).toBe(12);
    expect(new Set(attempts.map((a) => a.workerId)).size).toBeGreaterThanOrEqual(2);
    await Promise.all(workers.map(stopWorker));
  });

  it("resumes a SIGKILLed worker's run on another worker with a gap-free, duplicate-free series", async () => {
    const { run } = await launchRun(t.database, queue, {
      experiment: "crash",
      config: tinyPretrainConfig({ data: { limit: 2048 }, epochs: 2, checkpoint: { everySteps: 8 } }),
    });
    const victim = spawnWorker("victim");
    await waitFor("a few checkpoints", async () => {
      const loss = await readSeries(t.database, run.id, "loss").catch(() => null);
      return loss && loss.total >= 20;
    });
    victim.kill("SIGKILL");
    const rescuer = spawnWorker("rescuer");
    // The handler marks the run finished a moment before the worker closes its attempt.
    const finished = await waitFor("the run and its attempt to finish", async () => {
      const r = await getRun(t.database, run.id);
      const open = (await attemptsOf(t.database, run.id)).some((a) => a.outcome === "running");
      return r.status === "finished" && !open && r;
    });
    expect(finished.worker).toBe("rescuer");
    const loss = await readSeries(t.database, run.id, "loss", { maxPoints: 100_000 });
    expect(loss.points.map((p) => p.step)).toEqual([...Array(64).keys()]);
    const attempts = await attemptsOf(t.database, run.id);
    expect(attempts.map((a) => [a.workerId, a.outcome])).toEqual([
      ["victim", "lost"],
      ["rescuer", "finished"],
    ]);
    expect(attempts[1].resumedFromStep).toBeGreaterThanOrEqual(16);
    expect(attempts[1].resumedFromStep! % 8).toBe(0);
    await stopWorker(rescuer);
  });

  it("cancels a running job within 5 seconds and never retries it", async () => {
    const { run, jobId } = await launchRun(t.database, queue, {
      experiment: "cancel",
      config: tinyPretrainConfig({ data: { limit: 4096 }, epochs: 50 }),
    });
    const worker = spawnWorker("canceller");
    await waitFor("training to start", async () => (await readSeries(t.database, run.id, "loss").catch(() => null))?.total);
    await cancelAndExpectStop(t.database, queue, run.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await queue.getJobById("runs", jobId))?.state).toBe("cancelled");
    expect(await attemptsOf(t.database, run.id)).toHaveLength(1);
    expect((await getRun(t.database, run.id)).status).toBe("cancelled");
    await stopWorker(worker);
  });
});

describe.each(DATABASE_KINDS)("embedded mode: a worker thread beside the app, on %s", (kind) => {
  let t: TestDatabase;
  let queue: PgBoss;
  let worker: Awaited<ReturnType<typeof startEmbeddedWorker>>;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    queue = await createQueue(t.database);
    worker = await startEmbeddedWorker(t.database, "embedded-test");
  });
  afterAll(async () => {
    await worker?.stop();
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("launches, runs and finishes a job and a sweep", async () => {
    const { run } = await launchRun(t.database, queue, { config: tinyPretrainConfig() });
    const done = await waitFor("the run to finish", async () => {
      const r = await getRun(t.database, run.id);
      return (r.status === "finished" || r.status === "failed") && r;
    });
    expect(done.status).toBe("finished");
    expect(done.worker).toBe(worker.name);
    expect((await readSeries(t.database, run.id, "loss")).total).toBe(4);

    const { parent, trials } = await launchSweep(t.database, queue, {
      name: "lr-sweep",
      base: tinyPretrainConfig(),
      parameters: { "optimizer.lr": { values: [0.01, 0.001] } },
      budget: 5,
    });
    expect(trials).toHaveLength(2);
    const finishedParent = await waitFor("the sweep to finish", async () => {
      const p = await getRun(t.database, parent.id);
      return p.status === "finished" && p;
    });
    const summary = await sweepSummary(t.database, parent.id);
    expect(summary.trials.map((tr) => [tr.params["optimizer.lr"], tr.status])).toEqual([
      [0.01, "finished"],
      [0.001, "finished"],
    ]);
    const best = summary.trials.reduce((b, tr) => (tr.value! < b.value! ? tr : b));
    expect(summary.best?.runId).toBe(best.runId);
    expect(finishedParent.tags.best_run).toBe(String(best.runId));
  });

  it("keeps this thread free while it trains, and cancels within 5 seconds", async () => {
    const { run } = await launchRun(t.database, queue, {
      experiment: "cancel",
      config: tinyPretrainConfig({ data: { limit: 4096 }, epochs: 50 }),
    });
    await waitFor("training to start", async () => (await readSeries(t.database, run.id, "loss").catch(() => null))?.total);
    // While the thread trains, this thread's timers keep firing: count ticks of a 10 ms timer over 1 s.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(20);
    await cancelAndExpectStop(t.database, queue, run.id);
  });

  it("sweeps whose trials all fail are failed, with the reason", async () => {
    const { parent } = await launchSweep(t.database, queue, {
      name: "broken-sweep",
      base: tinyPretrainConfig({ dataset: { kind: "idx", dir: "no-such-dataset" } }),
      parameters: { "optimizer.lr": { values: [0.01, 0.001] } },
      budget: 2,
    });
    const failed = await waitFor("the sweep to end", async () => {
      const p = await getRun(t.database, parent.id);
      return p.status !== "queued" && p.status !== "running" && p;
    });
    expect(failed.status).toBe("failed");
    expect(failed.statusReason).toMatch(/all 2 trials failed.*no-such-dataset/);
  });
});
