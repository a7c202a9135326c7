/**
 * `npm run bench -- ui [postgres|pglite] [runs]`: the runs table and the compare view at scale.
 * Seeds an experiment of 10,000 runs × 15 params and 15 metric series (30 columns) plus one run
 * with a 1,000,000-point series, all through the COPY ingest path, then starts the built app and
 * times: the runs table's first page on the server (service and full HTML), the table painted in
 * Chromium, and a compare chart of 20 runs (one of them the 1M-point run) painted in Chromium.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { runs } from "@/drizzle/schema";
import { openDatabase, type Database } from "@/server/db";
import { writeBatch, type Point } from "@/server/services/metrics";
import { ensureExperiment, listRuns } from "@/server/services/runs";
import { startApp } from "@/server/testing/app-server";
import { createPostgresDatabase } from "@/server/testing/databases";
import { MAX_BATCH_POINTS } from "@/server/validation";
import { launchChromium } from "@/e2e/browser";
import { percentile, printFigures, printTable } from "./lib/report";

const METHODS = ["simclr", "byol", "vicreg", "barlow_twins", "mae"];
const METRIC_KEYS = [
  "knn_acc", "linear_acc", "train/loss", "train/lr", "train/grad_norm", "health/embedding_std", "health/effective_rank",
  "health/alignment", "health/uniformity", "val/loss", "val/knn_acc", "throughput/images_per_s", "time/step_ms", "memory/mb", "eval/top5",
];
const STEPS_PER_SERIES = 20;
const FILTER = 'params.method = "simclr" and metrics.knn_acc > 0.5 or tags.team = "vision"';
const SORT = "metrics.knn_acc";
const READS = 10;

function paramsOf(i: number) {
  return {
    method: METHODS[i % METHODS.length],
    lr: [0.1, 0.03, 0.01, 0.003, 0.001][(i >> 2) % 5],
    batch_size: [128, 256, 512][i % 3],
    temperature: 0.05 + (i % 10) / 20,
    weight_decay: [0, 1e-6, 1e-5, 1e-4][i % 4],
    epochs: 100 + (i % 4) * 100,
    optimizer: i % 2 ? "lars" : "adamw",
    seed: i % 7,
    augment: ["light", "strong", "none"][i % 3],
    projector_dim: [128, 256, 2048][(i >> 1) % 3],
    encoder: i % 3 ? "resnet18" : "convnet-small",
    ema: i % 5 === 0,
    warmup: (i % 6) * 5,
    crop_min: 0.08 + (i % 5) * 0.1,
    dataset: "fashion-mnist",
  };
}

/** A seeded, deterministic value per (run, metric, step), so runs differ and curves are curves. */
function metricPoints(i: number): Point[] {
  const points: Point[] = [];
  const quality = ((i * 7919) % 1000) / 1000;
  for (const [k, key] of METRIC_KEYS.entries()) {
    for (let s = 0; s < STEPS_PER_SERIES; s++) {
      const progress = (s + 1) / STEPS_PER_SERIES;
      const value = key.includes("loss") ? (1 + k / 10) * Math.exp(-3 * progress * (0.5 + quality)) : quality * progress + (k % 3) * 0.01 * Math.sin(s + i);
      points.push({ key, step: s * 100, value, wallTime: 1_700_000_000_000 + i * 60_000 + s * 1000 });
    }
  }
  return points;
}

async function seed(database: Database, total: number): Promise<{ experimentId: number; ids: number[]; bigRunId: number }> {
  const { experiment } = await ensureExperiment(database, "bench", "bench-ui");
  const ids: number[] = [];
  const statuses = ["finished", "finished", "finished", "failed", "running"] as const;
  for (let from = 0; from < total; from += 1000) {
    const rows = Array.from({ length: Math.min(1000, total - from) }, (_, j) => {
      const i = from + j;
      return {
        experimentId: experiment.id,
        name: `run-${String(i).padStart(5, "0")}`,
        status: statuses[i % statuses.length],
        tags: i % 4 === 0 ? { team: "vision" } : { team: "audio" },
        createdAt: new Date(1_700_000_000_000 + i * 60_000),
      };
    });
    ids.push(...(await database.db.insert(runs).values(rows).returning()).map((r) => r.id));
  }
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      await writeBatch(database, ids[i], paramsOf(i), metricPoints(i));
    }
  };
  await Promise.all(Array.from({ length: database.kind === "postgres" ? 4 : 1 }, worker));

  const [big] = await database.db
    .insert(runs)
    .values({ experimentId: experiment.id, name: "run-1m-points", status: "finished", tags: { team: "vision" }, createdAt: new Date(1_600_000_000_000) })
    .returning();
  await writeBatch(database, big.id, paramsOf(3), metricPoints(3).filter((p) => p.key !== "train/loss"));
  for (let from = 0; from < 1_000_000; from += MAX_BATCH_POINTS) {
    const points = Array.from({ length: MAX_BATCH_POINTS }, (_, j) => {
      const step = from + j;
      return { key: "train/loss", step, value: 2 * Math.exp(-step / 200_000) + 0.05 * Math.sin(step / 700) + (step === 612_345 ? 5 : 0), wallTime: 1_600_000_000_000 + step * 10 };
    });
    await writeBatch(database, big.id, {}, points);
  }
  return { experimentId: experiment.id, ids, bigRunId: big.id };
}

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm caches, connections and the compiled page
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** ms from navigation start until the selector's content is on screen (two animation frames later). */
async function paintedAt(page: Page, url: string, selector: string): Promise<number> {
  await page.goto(url, { waitUntil: "commit" });
  await page.locator(selector).first().waitFor({ timeout: 60_000 });
  return page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))));
}

export async function main(args: string[]) {
  const kind = args[0] === "pglite" ? "pglite" : "postgres";
  const total = Number(args[1] ?? 10_000);
  console.log(`ui: ${total.toLocaleString("en-US")} runs × ${Object.keys(paramsOf(0)).length} params + ${METRIC_KEYS.length} metrics, and one 1,000,000-point series, on ${kind}`);
  const pg = kind === "postgres" ? await createPostgresDatabase() : null;
  const home = mkdtempSync(path.join(os.tmpdir(), "pretext-bench-ui-"));
  const rows: (string | number)[][] = [];
  const figures: Record<string, number | string> = { bench: "ui", database: kind, runs: total };
  try {
    const database = await openDatabase(pg ? { databaseUrl: pg.url } : { dataDir: path.join(home, "db") });
    const t0 = performance.now();
    const { experimentId, ids, bigRunId } = await seed(database, total);
    const seedS = (performance.now() - t0) / 1000;
    console.log(`seeded in ${seedS.toFixed(1)} s`);
    figures.seed_s = Number(seedS.toFixed(1));

    const plain = await timeIt(READS, () => listRuns(database, experimentId, {}));
    const filtered = await timeIt(READS, () => listRuns(database, experimentId, { filter: FILTER, sort: SORT }));
    rows.push(["service: first page, newest first", percentile(plain, 50), percentile(plain, 95)]);
    rows.push(["service: first page, filter + sort by metric", percentile(filtered, 50), percentile(filtered, 95)]);
    figures.runs_table_service_ms = Number(percentile(filtered, 50).toFixed(1));
    await database.close(); // PGlite: the app takes the data directory over

    const app = await startApp(pg ? { DATABASE_URL: pg.url } : { PRETEXT_HOME: home });
    const browser = await launchChromium();
    try {
      const tableUrl = `${app.url}/experiments/${experimentId}?q=${encodeURIComponent(FILTER)}&sort=${encodeURIComponent(SORT)}`;
      const html = await timeIt(READS, async () => {
        const res = await app.fetch(tableUrl);
        if (!res.ok) throw new Error(`GET ${tableUrl}: ${res.status}`);
        await res.text();
      });
      const rest = await timeIt(READS, async () => {
        const res = await app.fetch(`${app.url}/api/v1/experiments/${experimentId}/runs?filter=${encodeURIComponent(FILTER)}&sort=${encodeURIComponent(SORT)}`);
        if (!res.ok) throw new Error(`REST runs: ${res.status}`);
        await res.json();
      });
      rows.push(["HTTP: runs table page HTML (filter + sort)", percentile(html, 50), percentile(html, 95)]);
      rows.push(["HTTP: GET /api/v1/experiments/:id/runs", percentile(rest, 50), percentile(rest, 95)]);
      figures.runs_table_server_ms = Number(percentile(html, 50).toFixed(1));
      figures.runs_table_rest_ms = Number(percentile(rest, 50).toFixed(1));

      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      await app.signIn(page);
      const paint: number[] = [];
      for (let i = 0; i < 6; i++) paint.push(await paintedAt(page, tableUrl, "[data-testid=runs-table] tbody tr"));
      const coldPaint = paint.shift()!;
      rows.push(["Chromium: runs table painted (cold)", coldPaint, coldPaint]);
      rows.push(["Chromium: runs table painted (warm)", percentile(paint, 50), percentile(paint, 95)]);
      figures.runs_table_paint_ms = Math.round(percentile(paint, 50));
      figures.runs_table_cold_paint_ms = Math.round(coldPaint);

      const compareUrl = `${app.url}/compare?runs=${[bigRunId, ...ids.slice(0, 19)].join(",")}`;
      const compare: number[] = [];
      for (let i = 0; i < 4; i++) compare.push(await paintedAt(page, compareUrl, "[data-testid^=compare-chart-][data-drawn=true]"));
      const coldCompare = compare.shift()!;
      rows.push(["Chromium: compare of 20 runs, chart painted (cold)", coldCompare, coldCompare]);
      rows.push(["Chromium: compare of 20 runs, chart painted (warm)", percentile(compare, 50), percentile(compare, 95)]);
      figures.compare_paint_ms = Math.round(percentile(compare, 50));
      figures.compare_cold_paint_ms = Math.round(coldCompare);
      await context.close();
    } finally {
      await browser.close();
      await app.stop();
    }
  } finally {
    await pg?.drop();
  }
  printTable("runs table and compare view, ms (lower is better; targets: server ≤ 300, table paint ≤ 1000, compare paint ≤ 1500)", ["what", "p50", "p95"], rows);
  printFigures(figures);
}
