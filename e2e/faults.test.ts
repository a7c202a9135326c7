/**
 * Load and fault tests (issue 16), all on a fresh PostgreSQL database:
 * 1. 8 concurrent clients log 1,000,000 points each through `next start`; every series is read back
 *    exactly (count and checksums), with no request failed or retried on the way (no deadlock).
 * 2. `next start` is SIGKILLed mid-ingestion and restarted on the same port, database and home while
 *    the clients keep retrying, and the answers to 8 stored batches are lost on the way (so their
 *    retries find them committed); the stored series are still exactly what was sent.
 * 3. A worker SIGKILLed mid-evaluation: another worker declares it dead and runs the job to the end.
 * PRETEXT_FAULTS_POINTS scales the points per client of test 1 (default 1,000,000; test 2 logs a
 * quarter of it); timings go to the test's diagnostics.
 */
import { waitFor } from "@/server/testing/wait-for";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type PgBoss from "pg-boss";
import pg from "pg";
import { PretextClient, type ClientOptions } from "@/server/client";
import { launchRun } from "@/server/jobs/launch";
import { createQueue } from "@/server/jobs/queue";
import { listBenchmarkResults } from "@/server/services/benchmarks";
import { listAttempts } from "@/server/services/attempts";
import { getRun, type Run } from "@/server/services/runs";
import { listEncoders } from "@/server/registry/encoders";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { createPostgresDatabase, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { tinyEvalSuite, tinyPretrainConfig, TINY_SUITE_RESULTS } from "@/workers/engine/test-support/tiny-configs";

const POINTS_PER_CLIENT = Number(process.env.PRETEXT_FAULTS_POINTS ?? 1_000_000);
const CLIENTS = 8;
/** Each client logs these two series into a run of its own: 8 processes of a sweep, say, in one experiment. */
const KEYS = ["train/loss", "train/acc"];

/** A write token stored in the database, so it outlives a restart (the local admin token does not). */
let token: string | undefined;

/** Every HTTP request of these tests goes through a client made here, with the token. */
function clientOf(url: string, opts: ClientOptions = {}): PretextClient {
  return new PretextClient({ baseUrl: url, token, ...opts });
}

const appEnv = (databaseUrl: string): Record<string, string> => ({ DATABASE_URL: databaseUrl });

/** 8 × a point's value: an integer, so checksums are exact in SQL (bigint) and here (BigInt), while values keep a fraction. */
const v8 = (client: number, key: number, step: number) => (step * 7919 + client * 104_729 + key * 1_299_709) % 8000;

/** Logs `steps` steps of every key the way a training loop does, flushing now and then so memory stays bounded. */
async function logSeries(client: PretextClient, runId: number, c: number, steps: number) {
  const tracker = client.tracker(runId);
  try {
    for (let step = 0; step < steps; step++) {
      tracker.logMetrics(KEYS.map((key, k) => ({ key, step, value: v8(c, k, step) / 8 })));
      if ((step + 1) % 25_000 === 0) await tracker.flush();
    }
    await tracker.flush();
  } finally {
    tracker.close();
  }
}

interface Checksum {
  count: number;
  minStep: string;
  maxStep: string;
  sumStep: string;
  sumV8: string;
  sumStepV8: string;
  /** points as the block summaries (which the API's totals come from) count them */
  blockCount: number;
  lastStep: string;
}

function expectedChecksum(c: number, k: number, steps: number): Checksum {
  let sumV8 = 0n;
  let sumStepV8 = 0n;
  for (let step = 0; step < steps; step++) {
    const v = BigInt(v8(c, k, step));
    sumV8 += v;
    sumStepV8 += BigInt(step) * v;
  }
  const n = BigInt(steps);
  return {
    count: steps,
    minStep: "0",
    maxStep: String(steps - 1),
    sumStep: String((n * (n - 1n)) / 2n),
    sumV8: String(sumV8),
    sumStepV8: String(sumStepV8),
    blockCount: steps,
    lastStep: String(steps - 1),
  };
}

async function storedChecksums(pool: pg.Pool, runIds: number[]): Promise<Map<string, Checksum>> {
  const { rows } = await pool.query(
    `select m.run_id, m.key, m.last_step::text as "lastStep", p.count, p."minStep", p."maxStep", p."sumStep", p."sumV8", p."sumStepV8",
            (select coalesce(sum(b.count), 0)::int from metric_blocks b where b.metric_id = m.id) as "blockCount"
     from metrics m
     cross join lateral (
       select count(*)::int as count, min(step)::text as "minStep", max(step)::text as "maxStep", sum(step)::text as "sumStep",
              sum((value * 8)::bigint)::text as "sumV8", sum(step * (value * 8)::bigint)::text as "sumStepV8"
       from metric_points where metric_id = m.id
     ) p
     where m.run_id = any($1::int[])`,
    [runIds],
  );
  return new Map(rows.map(({ run_id, key, ...sum }) => [`${run_id}:${key}`, sum as Checksum]));
}

/** Every series of every run is exactly what its client sent: no point lost, none duplicated, none changed. */
async function assertSeriesExact(pool: pg.Pool, client: PretextClient, runIds: number[], steps: number) {
  const stored = await storedChecksums(pool, runIds);
  assert.equal(stored.size, runIds.length * KEYS.length);
  for (const [c, runId] of runIds.entries()) {
    for (const [k, key] of KEYS.entries()) {
      assert.deepEqual(stored.get(`${runId}:${key}`), expectedChecksum(c, k, steps), `run ${runId} ${key}`);
      // the API agrees: the series' total, and a zoomed window's exact points
      assert.equal((await client.readSeries(runId, key, { maxPoints: 1000 })).total, steps);
      const tail = await client.readSeries(runId, key, { maxPoints: 1000, stepFrom: steps - 100, stepTo: steps - 1 });
      assert.deepEqual(tail.steps, Array.from({ length: 100 }, (_, i) => steps - 100 + i));
      assert.deepEqual(tail.values, tail.steps.map((s) => v8(c, k, s) / 8));
    }
  }
}

/**
 * What the clients met on the wire, which they retry without a word: 5xx answers; the /log requests
 * that got no answer (series → the last step they carried); and the first `loseAnswers` /log answers,
 * which this wrapper throws away after the server stored their batch, as a connection lost at that
 * moment would. Wraps fetch, which PretextClient uses.
 */
function watchWire(loseAnswers = 0) {
  const wire = { serverErrors: 0, lostAnswers: 0, unanswered: new Map<string, number>() };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const runId = /\/runs\/(\d+)\/log$/.exec(String(input))?.[1];
    let res: Response;
    try {
      res = await realFetch(input, init);
    } catch (err) {
      for (const p of runId ? (JSON.parse(String(init?.body)) as { metrics: { key: string; step: number }[] }).metrics : []) {
        const series = `${runId}:${p.key}`;
        wire.unanswered.set(series, Math.max(wire.unanswered.get(series) ?? -1, p.step));
      }
      throw err;
    }
    if (res.status >= 500) wire.serverErrors++;
    if (runId && res.ok && wire.lostAnswers < loseAnswers) {
      wire.lostAnswers++;
      await res.arrayBuffer();
      throw new TypeError("fetch failed: the answer was lost (dropped by the test)");
    }
    return res;
  };
  return { wire, restore: () => void (globalThis.fetch = realFetch) };
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

describe("ingestion under load and faults (next start, PostgreSQL)", () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let pool: pg.Pool;
  let app: AppServer;
  let home: string;

  before(async () => {
    db = await createPostgresDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    app = await startApp(appEnv(db.url));
    home = app.home;
    const made = await app.fetch("/api/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "faults", scopes: ["write"] }) });
    ({ token } = (await made.json()) as { token: string });
  });
  after(async () => {
    await app?.stop();
    await pool?.end();
    await db?.drop();
  });

  it(`8 concurrent clients log ${POINTS_PER_CLIENT.toLocaleString("en")} points each: none lost, none duplicated, no deadlock`, { timeout: 600_000 }, async (t: TestContext) => {
    const steps = Math.floor(POINTS_PER_CLIENT / KEYS.length);
    const points = CLIENTS * steps * KEYS.length;
    const admin = clientOf(app.url);
    const runs = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => admin.createRun({ experiment: "faults-load", name: `client-${c}` })));
    const runIds = runs.map((r) => r.id);
    const { wire, restore } = watchWire();
    const t0 = performance.now();
    try {
      await Promise.all(runIds.map((runId, c) => logSeries(clientOf(app.url), runId, c, steps)));
    } finally {
      restore();
    }
    const ingest = (performance.now() - t0) / 1000;
    t.diagnostic(`ingested ${points.toLocaleString("en")} points in ${ingest.toFixed(1)} s: ${Math.round(points / ingest).toLocaleString("en")} points/s`);
    // A deadlock (or any other failure) would have been a 5xx the client retried without a word.
    assert.deepEqual([wire.serverErrors, wire.unanswered.size], [0, 0]);
    const t1 = performance.now();
    await assertSeriesExact(pool, admin, runIds, steps);
    t.diagnostic(`checked ${runIds.length * KEYS.length} series in ${seconds(t1)} s`);
  });

  it("survives SIGKILL of the server mid-ingestion: restarted on the same port, the clients retry and nothing is lost or duplicated", { timeout: 600_000 }, async (t: TestContext) => {
    const steps = Math.floor(POINTS_PER_CLIENT / 4 / KEYS.length);
    const total = CLIENTS * steps * KEYS.length;
    const admin = clientOf(app.url);
    const runs = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => admin.createRun({ experiment: "faults-kill", name: `client-${c}` })));
    const runIds = runs.map((r) => r.id);
    const storedPoints = async () => Number((await pool.query("select coalesce(sum(last_step + 1), 0) as n from metrics where run_id = any($1::int[])", [runIds])).rows[0].n);
    // Besides the kill, the answers to the first 8 batches are lost after the server stored them.
    const { wire, restore } = watchWire(8);
    const t0 = performance.now();
    try {
      // Back-off 100 ms doubling over 12 attempts: the last one comes ~200 s after the first, far beyond a restart.
      const logging = Promise.all(runIds.map((runId, c) => logSeries(clientOf(app.url, { attempts: 12, backoffMs: 100 }), runId, c, steps)));
      let settled = false;
      logging.catch(() => {}).finally(() => (settled = true)); // awaited below: a failure shows there
      for (let at = await storedPoints(); at < total * 0.4 && !settled; at = await storedPoints()) await new Promise((r) => setTimeout(r, 20));
      const port = new URL(app.url).port;
      app.child.kill("SIGKILL");
      await once(app.child, "exit");
      const killedAt = performance.now();
      await new Promise((r) => setTimeout(r, 500)); // the clients meet a closed port for a while
      const atKill = await storedPoints();
      // Which batches in flight had committed before the kill (their answer lost) and which had not.
      const stored = new Map((await pool.query("select run_id, key, last_step from metrics where run_id = any($1::int[])", [runIds])).rows.map((r) => [`${r.run_id}:${r.key}`, Number(r.last_step)]));
      const inFlight = [...wire.unanswered];
      const committed = inFlight.filter(([series, step]) => (stored.get(series) ?? -1) >= step).length;
      t.diagnostic(`SIGKILL at ${atKill.toLocaleString("en")} of ${total.toLocaleString("en")} points; ${inFlight.length} series had a batch in flight: ${committed} committed (answer lost), ${inFlight.length - committed} rolled back`);
      app = await startApp({ ...appEnv(db.url), PRETEXT_HOME: home }, "start", Number(port));
      t.diagnostic(`restarted on port ${port} in ${seconds(killedAt)} s`);
      await logging;
    } finally {
      restore();
    }
    t.diagnostic(`${total.toLocaleString("en")} points with one SIGKILL and restart in ${seconds(t0)} s`);
    assert.ok(wire.unanswered.size > 0, "the clients met the dead server");
    assert.deepEqual([wire.lostAnswers, wire.serverErrors], [8, 0]);
    await assertSeriesExact(pool, admin, runIds, steps);
  });
});

describe("a worker SIGKILLed mid-evaluation (PostgreSQL, worker processes)", () => {
  let t: TestDatabase;
  let queue: PgBoss;
  const children: ChildProcess[] = [];
  let home: string;

  function spawnWorker(name: string): ChildProcess {
    const child = spawn(process.execPath, ["bin/pretext.mjs", "worker", "--name", name], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        PRETEXT_HOME: home, // one artifact store for every worker
        PRETEXT_DATA_DIR: process.env.PRETEXT_DATA_DIR ?? path.resolve("../shared/data"),
        PRETEXT_WORKER_STALE_SECONDS: "4", // declared dead after 4 s without a heartbeat (default 30)
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", () => {});
    child.stderr!.on("data", (d) => process.stderr.write(`[${name}] ${d}`));
    children.push(child);
    return child;
  }


  const ended = (run: Run) => run.status === "finished" || run.status === "failed" || run.status === "cancelled";

  before(async () => {
    t = await openTestDatabase("postgres");
    queue = await createQueue(t.database);
    home = mkdtempSync(path.join(os.tmpdir(), "pretext-faults-"));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await queue?.stop({ graceful: false, wait: true });
    await t?.drop();
  });

  it("another worker takes the evaluation over and finishes it, with the lost attempt recorded", { timeout: 600_000 }, async (tc: TestContext) => {
    const victim = spawnWorker("victim");
    // The encoder to evaluate: a tiny pretraining run, on the same worker.
    const { run: pre } = await launchRun(t.database, queue, { experiment: "faults-worker", config: tinyPretrainConfig() });
    const pretrained = await waitFor("the pretraining run to end", async () => {
      const r = await getRun(t.database, pre.id);
      return ended(r) && r;
    }, 180_000);
    assert.equal(pretrained.status, "finished", pretrained.statusReason ?? "");

    const { run } = await launchRun(t.database, queue, {
      kind: "evaluate",
      experiment: "faults-worker",
      config: { name: "eval-tiny", encoder: { runId: pre.id }, suite: { ...tinyEvalSuite(), encoderName: "faults-encoder" } },
    });
    // Mid-evaluation: the encoder version is registered (with its ONNX export), no result is in yet.
    const registered = await waitFor("the evaluation to be under way", async () => {
      const r = await getRun(t.database, run.id);
      assert.ok(!ended(r), `the evaluation ended (${r.status}) before the worker could be killed`);
      const [version] = await listEncoders(t.database, { name: "faults-encoder" });
      return r.status === "running" && version?.onnxArtifactId != null ? version : undefined;
    }, 180_000);
    const t0 = performance.now();
    victim.kill("SIGKILL");
    await once(victim, "exit");
    const rescuer = spawnWorker("rescuer");
    const done = await waitFor("the evaluation to end", async () => {
      const r = await getRun(t.database, run.id);
      const open = (await listAttempts(t.database, run.id)).some((a) => a.outcome === "running");
      return ended(r) && !open && r;
    }, 180_000);
    tc.diagnostic(`SIGKILL → evaluation finished on another worker in ${seconds(t0)} s`);
    assert.equal(done.status, "finished", done.statusReason ?? "");
    assert.equal(done.worker, "rescuer");
    const attempts = await listAttempts(t.database, run.id);
    assert.deepEqual(
      attempts.map((a) => [a.workerId, a.outcome]),
      [
        ["victim", "lost"],
        ["rescuer", "finished"],
      ],
    );
    // The first attempt left nothing twice: one set of results, for the one encoder version both attempts registered.
    const results = await listBenchmarkResults(t.database, { runId: run.id });
    assert.equal(results.length, TINY_SUITE_RESULTS);
    const versions = await listEncoders(t.database, { name: "faults-encoder" });
    assert.deepEqual(versions.map((v) => v.id), [registered.id]);
    assert.ok(results.some((r) => r.encoderId === versions[0].id) && results.every((r) => r.encoderId === null || r.encoderId === versions[0].id));
    const exited = once(rescuer, "exit");
    rescuer.kill("SIGTERM");
    await exited;
  });
});
