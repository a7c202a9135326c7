/**
 * `npm run bench -- read [points]`: a 1,000,000-point series read back downsampled to 1,000
 * points (M4), in the service and over HTTP, on PostgreSQL and PGlite; p50/p95 over 30 reads.
 * The full-scan aggregate a naive implementation would run is timed beside it as the baseline.
 */
import { PretextClient } from "@/server/client";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { writeBatch } from "@/server/services/metrics";
import { createRun } from "@/server/services/runs";
import { readSeries } from "@/server/services/series";
import { startApp } from "@/server/testing/app-server";
import { openTestDatabase } from "@/server/testing/databases";
import { MAX_BATCH_POINTS } from "@/server/validation";
import { percentile, printFigures, printTable } from "./lib/report";

const READS = 30;

async function seed(database: Database, total: number): Promise<number> {
  const run = await createRun(database, { experiment: "bench-read" });
  for (let from = 0; from < total; from += MAX_BATCH_POINTS) {
    const points = Array.from({ length: Math.min(MAX_BATCH_POINTS, total - from) }, (_, i) => {
      const step = from + i;
      return { key: "loss", step, value: Math.exp(-step / 300_000) + 0.05 * Math.sin(step / 500), wallTime: 1_700_000_000_000 + step };
    });
    await writeBatch(database, run.id, {}, points);
  }
  return run.id;
}

async function timeReads(read: () => Promise<unknown>): Promise<number[]> {
  await read(); // warm caches and connections
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    await read();
    times.push(performance.now() - t0);
  }
  return times;
}

export async function main(args: string[]) {
  const total = Number(args[0] ?? 1_000_000);
  console.log(`read: a ${total.toLocaleString("en-US")}-point series downsampled to 1,000 points, ${READS} reads each`);
  const rows: (string | number)[][] = [];
  const figures: Record<string, number | string> = { bench: "read", points: total };
  for (const kind of ["postgres", "pglite"] as const) {
    const t = await openTestDatabase(kind);
    try {
      const runId = await seed(t.database, total);
      const service = await timeReads(() => readSeries(t.database, runId, "loss", { maxPoints: 1000 }));
      const fullScan = await timeReads(() =>
        query(
          t.database,
          `select (step * 200 / $2)::int as b, min(value), max(value), min(step), max(step) from metric_points
           where metric_id = (select id from metrics where run_id = $1) group by 1`,
          [runId, total],
        ),
      );
      rows.push([`${kind}: service (M4 from blocks)`, percentile(service, 50), percentile(service, 95)]);
      rows.push([`${kind}: full-scan GROUP BY (baseline)`, percentile(fullScan, 50), percentile(fullScan, 95)]);
      const prefix = kind === "postgres" ? "" : "pglite_";
      figures[`${prefix}read_p50_ms`] = Number(percentile(service, 50).toFixed(1));
      figures[`${prefix}full_scan_p50_ms`] = Number(percentile(fullScan, 50).toFixed(1));
      if (kind === "postgres") {
        const app = await startApp({ DATABASE_URL: t.url! });
        try {
          const client = new PretextClient({ baseUrl: app.url, token: app.token });
          const http = await timeReads(() => client.readSeries(runId, "loss", { maxPoints: 1000 }));
          rows.push([`${kind}: HTTP GET /api/v1 (next start)`, percentile(http, 50), percentile(http, 95)]);
          figures.http_read_p50_ms = Number(percentile(http, 50).toFixed(1));
        } finally {
          await app.stop();
        }
      }
    } finally {
      await t.drop();
    }
  }
  printTable("downsampled read, ms (lower is better)", ["path", "p50", "p95"], rows);
  printFigures(figures);
}
