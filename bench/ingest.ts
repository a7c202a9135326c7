/**
 * `npm run bench -- ingest [points]`: logs 1,000,000 points through the HTTP API (batches of
 * 10,000) into PostgreSQL and into PGlite, next to a raw COPY of the same rows (the ceiling). On
 * PostgreSQL it is measured with authentication off and with a write token (a token lookup on every
 * request), alternately, three rounds each: the cost of auth is the ratio of their medians.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { PGlite } from "@electric-sql/pglite";
import { PretextClient } from "@/server/client";
import { createPostgresDatabase } from "@/server/testing/databases";
import { startApp } from "@/server/testing/app-server";
import { MAX_BATCH_POINTS } from "@/server/validation";
import { printFigures, printTable } from "./lib/report";

const T0 = 1_700_000_000_000;
const value = (step: number) => Math.exp(-step / 300_000) + 0.01 * Math.sin(step / 97);

/** Request bodies for `streams` series logged side by side, each series' batches in step order. */
function batchBodies(total: number, streams: number): string[][] {
  const perStream = total / streams;
  return Array.from({ length: streams }, (_, s) => {
    const bodies: string[] = [];
    for (let from = 0; from < perStream; from += MAX_BATCH_POINTS) {
      const metrics = [];
      for (let step = from; step < Math.min(perStream, from + MAX_BATCH_POINTS); step++) {
        metrics.push({ key: `train/loss_${s}`, step, value: value(step), timestamp: T0 + step });
      }
      bodies.push(JSON.stringify({ metrics }));
    }
    return bodies;
  });
}

async function post(url: string, runId: number, body: string, token?: string) {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${url}/api/v1/runs/${runId}/log`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body });
  if (!res.ok) throw new Error(`log failed: ${res.status} ${await res.text()}`);
}

async function ingestOverHttp(url: string, bodies: string[][], token?: string): Promise<number> {
  const client = new PretextClient({ baseUrl: url, token });
  // Steady state is what a long run sees: warm the route (JIT, pool) on a run of its own first.
  const warmUp = await client.createRun({ experiment: "bench-ingest", name: "warm-up" });
  for (const body of bodies[0].slice(0, 5)) await post(url, warmUp.id, body, token);
  const run = await client.createRun({ experiment: "bench-ingest" });
  const started = performance.now();
  await Promise.all(bodies.map(async (stream) => {
    for (const body of stream) await post(url, run.id, body, token);
  }));
  const seconds = (performance.now() - started) / 1000;
  const points = bodies.flat().length * MAX_BATCH_POINTS;
  const check = await client.getRun(run.id);
  if (check.status !== "running") throw new Error("run changed state during the bench");
  return points / seconds;
}

function tsvRows(total: number): string[] {
  const chunks: string[] = [];
  for (let from = 0; from < total; from += MAX_BATCH_POINTS) {
    let s = "";
    for (let step = from; step < Math.min(total, from + MAX_BATCH_POINTS); step++) s += `1\t${step}\t${T0 + step}\t${value(step)}\n`;
    chunks.push(s);
  }
  return chunks;
}

const CEILING_TABLE = "create table copy_ceiling (metric_id int not null, step bigint not null, wall_time bigint not null, value float8 not null, primary key (metric_id, step))";

async function pgCopyCeiling(url: string, chunks: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(CEILING_TABLE);
  const started = performance.now();
  for (const chunk of chunks) await pipeline(Readable.from([chunk]), client.query(copyFrom("COPY copy_ceiling FROM STDIN")));
  const rate = (chunks.length * MAX_BATCH_POINTS) / ((performance.now() - started) / 1000);
  await client.end();
  return rate;
}

async function pgliteCopyCeiling(chunks: string[]): Promise<number> {
  const db = new PGlite();
  await db.exec(CEILING_TABLE);
  const started = performance.now();
  for (const chunk of chunks) await db.query("COPY copy_ceiling FROM '/dev/blob'", [], { blob: new Blob([chunk]) });
  const rate = (chunks.length * MAX_BATCH_POINTS) / ((performance.now() - started) / 1000);
  await db.close();
  return rate;
}

export async function main(args: string[]) {
  const total = Number(args[0] ?? 1_000_000);
  const streams = 4;
  console.log(`ingest: ${total.toLocaleString("en-US")} points in batches of ${MAX_BATCH_POINTS.toLocaleString("en-US")} over HTTP (next start)`);
  const oneStream = batchBodies(total, 1);
  const fourStreams = batchBodies(total, streams);
  const chunks = tsvRows(total);

  // One app at a time, without the embedded worker: nothing else competes for the two processes measured.
  const pgDb = await createPostgresDatabase();
  const pgApp = await startApp({ DATABASE_URL: pgDb.url, PRETEXT_EMBEDDED_WORKER: "0" });
  const openApp = await startApp({ DATABASE_URL: pgDb.url, PRETEXT_EMBEDDED_WORKER: "0", PRETEXT_AUTH: "off" });
  let liteApp: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const made = await pgApp.fetch("/api/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "bench", scopes: ["write"] }) });
    const { token } = (await made.json()) as { token: string };
    const open4: number[] = [];
    const auth4: number[] = [];
    for (let round = 0; round < 3; round++) {
      open4.push(await ingestOverHttp(openApp.url, fourStreams));
      auth4.push(await ingestOverHttp(pgApp.url, fourStreams, token));
    }
    const pg1 = await ingestOverHttp(pgApp.url, oneStream, token);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [pg4, pg4Auth] = [median(open4), median(auth4)];
    const pgCopy = await pgCopyCeiling(pgDb.url, chunks);
    await Promise.all([pgApp.stop(), openApp.stop()]);
    liteApp = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    const liteToken = liteApp.token;
    const lite1 = await ingestOverHttp(liteApp.url, oneStream, liteToken);
    const lite4 = await ingestOverHttp(liteApp.url, fourStreams, liteToken);
    const liteCopy = await pgliteCopyCeiling(chunks);
    printTable("points/s (higher is better; with a token unless said)", ["database", "HTTP, 1 series", `HTTP, ${streams} series in parallel`, "raw COPY (ceiling)"], [
      ["PostgreSQL, auth off", "", Math.round(pg4), ""],
      ["PostgreSQL, write token", Math.round(pg1), Math.round(pg4Auth), Math.round(pgCopy)],
      ["PGlite", Math.round(lite1), Math.round(lite4), Math.round(liteCopy)],
    ]);
    console.log(`auth costs ${(100 * (1 - pg4Auth / pg4)).toFixed(1)} % of PostgreSQL ingest throughput (target: at most 5 %; rounds: off ${open4.map(Math.round).join(", ")}, token ${auth4.map(Math.round).join(", ")})`);
    printFigures({
      bench: "ingest",
      points: total,
      pg_points_per_s: Math.round(pg4),
      pg_points_per_s_auth: Math.round(pg4Auth),
      auth_overhead_percent: Number((100 * (1 - pg4Auth / pg4)).toFixed(1)),
      pg_one_series_points_per_s: Math.round(pg1),
      pglite_points_per_s: Math.round(Math.max(lite1, lite4)),
      pglite_one_series_points_per_s: Math.round(lite1),
      pglite_parallel_series_points_per_s: Math.round(lite4),
      pg_copy_rows_per_s: Math.round(pgCopy),
      pglite_copy_rows_per_s: Math.round(liteCopy),
    });
  } finally {
    await Promise.all([pgApp.stop(), openApp.stop(), liteApp?.stop()]);
    await pgDb.drop();
  }
}
