/**
 * `npm run bench -- queue [jobs]`: throughput of the job queue (pg-boss on PostgreSQL) with no-op
 * jobs and 4 worker processes, and the median time from enqueue to start on an idle queue.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { query } from "@/server/db/sql";
import { openDatabase } from "@/server/db";
import { createQueue } from "@/server/jobs/queue";
import { createPostgresDatabase } from "@/server/testing/databases";
import { percentile, printFigures, printTable } from "./lib/report";

const WORKERS = 4;
const LATENCY_SAMPLES = 60;

async function until(probe: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("bench timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function main(args: string[]) {
  const jobs = Number(args[0] ?? 5000);
  const pg = await createPostgresDatabase();
  const database = await openDatabase({ databaseUrl: pg.url });
  const queue = await createQueue(database);
  const children: ChildProcess[] = [];
  const count = async (sql: string) => Number((await query<{ n: string }>(database, sql))[0].n);
  try {
    for (let i = 0; i < WORKERS; i++) {
      children.push(spawn("node", ["bin/pretext.mjs", "worker", "--name", `bench-${i}`], { env: { ...process.env, DATABASE_URL: pg.url }, stdio: "ignore" }));
    }
    await until(async () => (await count("select count(*) as n from workers")) === WORKERS, 60_000);
    console.log(`queue: ${jobs.toLocaleString("en-US")} no-op jobs through pg-boss on PostgreSQL, ${WORKERS} worker processes`);

    const started = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      await queue.insert(Array.from({ length: Math.min(1000, jobs - i) }, () => ({ name: "scheduled", data: { task: "noop" } })));
    }
    await until(async () => (await count("select count(*) as n from pgboss.job where name = 'scheduled' and state = 'completed'")) === jobs, 600_000);
    const seconds = (performance.now() - started) / 1000;

    // Latency on an idle queue: one job at a time, spaced so that none waits behind another.
    await query(database, "delete from pgboss.job where name = 'scheduled'");
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await queue.send("scheduled", { task: "noop" });
      await new Promise((r) => setTimeout(r, 150));
    }
    await until(async () => (await count("select count(*) as n from pgboss.job where name = 'scheduled' and state = 'completed'")) === LATENCY_SAMPLES, 60_000);
    const latencies = (
      await query<{ ms: number }>(database, "select extract(epoch from (started_on - created_on)) * 1000 as ms from pgboss.job where name = 'scheduled'")
    ).map((r) => Number(r.ms));

    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    printTable("queue (workers poll every 0.5 s, 20 scheduled jobs a fetch)", ["figure", "value"], [
      ["no-op jobs/s (4 workers)", Math.round(jobs / seconds)],
      ["enqueue -> start p50 (ms)", Math.round(p50)],
      ["enqueue -> start p95 (ms)", Math.round(p95)],
    ]);
    printFigures({ bench: "queue", jobs, workers: WORKERS, jobs_per_s: Math.round(jobs / seconds), start_latency_p50_ms: Math.round(p50), start_latency_p95_ms: Math.round(p95) });
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await queue.stop({ graceful: false, wait: true });
    await database.close();
    await pg.drop();
  }
}
