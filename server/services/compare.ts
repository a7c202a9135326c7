/**
 * The compare view's data: the chosen runs with their params and metric summaries, and every
 * chosen series of every run, downsampled, in a fixed handful of queries however many runs there
 * are. A series longer than `maxPoints` is reduced with M4 over its block summaries, so its
 * extremes survive and no more than a few thousand rows are read per series.
 */
import { asc, inArray } from "drizzle-orm";
import { metrics, params, runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { badInput, describeZodError, notFound } from "@/server/errors";
import { compareQuery, type CompareQuery } from "@/server/validation";
import { decodeParam } from "./runs";
import { blockPoints, m4, type BlockRow, type SeriesPoint } from "./series";

/** Points one compare request may read one by one; past it, series are reduced from their block summaries. */
const RAW_POINTS_BUDGET = 400_000;

export interface CompareSeries {
  runId: number;
  key: string;
  /** points stored */
  total: number;
  downsampled: boolean;
  /** columns rather than objects: a third of the JSON for the same points */
  steps: number[];
  values: number[];
  wallTimes: number[];
}

export async function compareRuns(database: Database, input: CompareQuery) {
  const parsed = compareQuery.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const { maxPoints } = parsed.data;
  const runIds = [...new Set(parsed.data.runIds)];
  const { db } = database;
  const [runRows, paramRows, metricRows] = await Promise.all([
    db.select().from(runs).where(inArray(runs.id, runIds)),
    db.select().from(params).where(inArray(params.runId, runIds)).orderBy(asc(params.key)),
    db.select().from(metrics).where(inArray(metrics.runId, runIds)).orderBy(asc(metrics.key)),
  ]);
  const missing = runIds.find((id) => !runRows.some((r) => r.id === id));
  if (missing !== undefined) throw notFound("run", missing);

  const allKeys = [...new Set(metricRows.map((m) => m.key))].sort();
  const keys = parsed.data.keys ? allKeys.filter((k) => parsed.data.keys!.includes(k)) : allKeys;
  const chosen = metricRows.filter((m) => keys.includes(m.key));
  const series = await readManySeries(database, chosen, maxPoints);

  const byId = new Map(runRows.map((r) => [r.id, r]));
  return {
    runs: runIds.map((id) => {
      const r = byId.get(id)!;
      return {
        id: r.id,
        name: r.name,
        status: r.status,
        experimentId: r.experimentId,
        parentRunId: r.parentRunId,
        createdAt: r.createdAt,
        tags: r.tags,
        params: Object.fromEntries(paramRows.filter((p) => p.runId === id).map((p) => [p.key, decodeParam(p)])),
        metrics: Object.fromEntries(
          metricRows.filter((m) => m.runId === id).map((m) => [m.key, { last: m.lastValue, min: m.minValue, max: m.maxValue, lastStep: m.lastStep }]),
        ),
      };
    }),
    /** every metric key of the runs; `series` holds only the chosen ones */
    metricKeys: allKeys,
    series,
  };
}

async function readManySeries(database: Database, chosen: { id: number; runId: number; key: string }[], maxPoints: number): Promise<CompareSeries[]> {
  if (chosen.length === 0) return [];
  const ids = chosen.map((m) => m.id);
  const counts = await query<{ metric_id: number; n: number; blocks: number }>(
    database,
    "select metric_id, sum(count)::int as n, count(*)::int as blocks from metric_blocks where metric_id = any($1::int[]) group by metric_id",
    [ids],
  );
  const total = new Map(counts.map((c) => [c.metric_id, c.n]));
  const buckets = Math.floor(maxPoints / 5); // up to 5 points a bucket: first, min, max, gap, last
  // Block summaries are exact enough once each bucket spans several blocks. Shorter series are
  // read point by point (then reduced with M4), shortest first, while the request's budget lasts.
  const short: number[] = [];
  const long: number[] = [];
  let budget = RAW_POINTS_BUDGET;
  for (const c of [...counts].sort((a, b) => a.n - b.n)) {
    const raw = c.n <= maxPoints || (c.blocks < buckets * 2 && c.n <= budget);
    (raw ? short : long).push(c.metric_id);
    if (raw) budget -= Math.min(budget, c.n);
  }
  const [pointRows, blockRows] = await Promise.all([
    short.length
      ? query<{ metric_id: number; step: string; value: number; wall_time: string }>(
          database,
          "select metric_id, step, value, wall_time from metric_points where metric_id = any($1::int[]) order by metric_id, step",
          [short],
        )
      : [],
    long.length
      ? query<BlockRow & { metric_id: number }>(
          database,
          `select metric_id, count, first_step, first_value, first_wall, last_step, last_value, last_wall, min_step, min_value, min_wall,
                  max_step, max_value, max_wall, has_non_finite
           from metric_blocks where metric_id = any($1::int[]) order by metric_id, block`,
          [long],
        )
      : [],
  ]);
  const points = new Map<number, SeriesPoint[]>();
  const listOf = (id: number) => {
    let list = points.get(id);
    if (!list) points.set(id, (list = []));
    return list;
  };
  for (const r of pointRows) listOf(r.metric_id).push({ step: Number(r.step), value: Number(r.value), wallTime: Number(r.wall_time) });
  for (const b of blockRows) listOf(b.metric_id).push(...blockPoints(b));
  return chosen.map((m) => {
    const stored = points.get(m.id) ?? [];
    const downsampled = (total.get(m.id) ?? 0) > maxPoints;
    const kept = downsampled ? m4(stored, buckets) : stored;
    return {
      runId: m.runId,
      key: m.key,
      total: total.get(m.id) ?? 0,
      downsampled,
      steps: kept.map((p) => p.step),
      values: kept.map((p) => p.value),
      wallTimes: kept.map((p) => p.wallTime),
    };
  });
}
