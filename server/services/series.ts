/**
 * Reading a metric series for a chart: never more than `maxPoints` points, downsampled with M4
 * (each bucket keeps its first, last, minimum and maximum point), so spikes and dips survive.
 * Long series are downsampled from metric_blocks (a few thousand rows for a million points).
 */
import { asc, eq } from "drizzle-orm";
import { metrics } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { badInput, describeZodError, notFound } from "@/server/errors";
import { seriesQuery, type SeriesQuery } from "@/server/validation";

export interface SeriesPoint {
  step: number;
  /** NaN and ±Infinity as stored; charts draw them as gaps */
  value: number;
  wallTime: number;
}

export interface Series {
  key: string;
  /** points stored in the requested range */
  total: number;
  downsampled: boolean;
  points: SeriesPoint[];
}

export interface BlockRow {
  count: number;
  first_step: string;
  first_value: number;
  first_wall: string;
  last_step: string;
  last_value: number;
  last_wall: string;
  min_step: string | null;
  min_value: number | null;
  min_wall: string | null;
  max_step: string | null;
  max_value: number | null;
  max_wall: string | null;
  has_non_finite: boolean;
}

export async function readSeries(database: Database, runId: number, key: string, options: SeriesQuery = {}): Promise<Series> {
  const parsed = seriesQuery.safeParse(options);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const { maxPoints, stepFrom = 0, stepTo = Number.MAX_SAFE_INTEGER } = parsed.data;
  if (stepTo < stepFrom) throw badInput("stepTo: must be >= stepFrom");

  const [metric] = await query<{ id: number }>(database, "select id from metrics where run_id = $1 and key = $2", [runId, key]);
    if (!metric) {
      const [run] = await query(database, "select id from runs where id = $1", [runId]);
      throw run ? notFound(`metric "${key}" of run`, runId) : notFound("run", runId);
    }
    const blocks = await query<BlockRow>(
      database,
      `select count, first_step, first_value, first_wall, last_step, last_value, last_wall, min_step, min_value, min_wall,
              max_step, max_value, max_wall, has_non_finite
       from metric_blocks where metric_id = $1 and last_step >= $2 and first_step <= $3 order by block`,
      [metric.id, stepFrom, stepTo],
    );
    const total = blocks.reduce((n, b) => n + b.count, 0);
    const buckets = Math.floor(maxPoints / 5); // up to 5 points a bucket: first, min, max, gap, last
    // Block summaries are exact enough once each bucket spans several blocks; else read the points.
    if (blocks.length >= buckets * 2) {
      return { key, total, downsampled: true, points: m4(blocks.flatMap(blockPoints), buckets, stepFrom, stepTo) };
    }
    const rows = await query<{ step: string; value: number; wall_time: string }>(
      database,
      "select step, value, wall_time from metric_points where metric_id = $1 and step between $2 and $3 order by step",
      [metric.id, stepFrom, stepTo],
    );
    const points = rows.map((r) => ({ step: Number(r.step), value: Number(r.value), wallTime: Number(r.wall_time) }));
    const exactTotal = points.length;
    if (exactTotal <= maxPoints) return { key, total: exactTotal, downsampled: false, points };
    return { key, total: exactTotal, downsampled: true, points: m4(points, buckets, stepFrom, stepTo) };
}

/** A block's first, min, max and last point, plus a NaN marker where it held a non-finite value. */
export function blockPoints(b: BlockRow): SeriesPoint[] {
  const pts: SeriesPoint[] = [{ step: Number(b.first_step), value: Number(b.first_value), wallTime: Number(b.first_wall) }];
  if (b.min_step !== null) pts.push({ step: Number(b.min_step), value: Number(b.min_value), wallTime: Number(b.min_wall) });
  if (b.max_step !== null) pts.push({ step: Number(b.max_step), value: Number(b.max_value), wallTime: Number(b.max_wall) });
  if (b.has_non_finite) pts.push({ step: Number(b.first_step), value: Number.NaN, wallTime: Number(b.first_wall) });
  pts.push({ step: Number(b.last_step), value: Number(b.last_value), wallTime: Number(b.last_wall) });
  return pts;
}

/**
 * M4 downsampling (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
 * VLDB 2014): split the step range into equal buckets and keep each bucket's first, last, minimum
 * and maximum point. Non-finite values are kept (once per bucket) so charts show the gap.
 */
export function m4(points: SeriesPoint[], buckets: number, stepFrom = 0, stepTo = Number.MAX_SAFE_INTEGER): SeriesPoint[] {
  const inRange = points.filter((p) => p.step >= stepFrom && p.step <= stepTo);
  if (inRange.length === 0) return [];
  const lo = inRange.reduce((m, p) => Math.min(m, p.step), Infinity);
  const hi = inRange.reduce((m, p) => Math.max(m, p.step), -Infinity);
  const width = (hi - lo + 1) / buckets;
  const chosen = new Map<number, { first: SeriesPoint; last: SeriesPoint; min?: SeriesPoint; max?: SeriesPoint; gap?: SeriesPoint }>();
  for (const p of inRange) {
    const b = Math.min(buckets - 1, Math.floor((p.step - lo) / width));
    let c = chosen.get(b);
    if (!c) chosen.set(b, (c = { first: p, last: p }));
    if (p.step < c.first.step) c.first = p;
    if (p.step > c.last.step) c.last = p;
    if (!Number.isFinite(p.value)) c.gap ??= p;
    else {
      if (!c.min || p.value < c.min.value) c.min = p;
      if (!c.max || p.value > c.max.value) c.max = p;
    }
  }
  const out: SeriesPoint[] = [];
  for (const c of chosen.values()) {
    const keep = [c.first, c.min, c.max, c.gap, c.last].filter((p): p is SeriesPoint => p !== undefined);
    out.push(...new Set(keep));
  }
  return out.sort((a, b) => a.step - b.step);
}

/** The series a run has, with their latest values. */
export async function listRunMetrics({ db }: Database, runId: number) {
  return db
    .select({ key: metrics.key, lastStep: metrics.lastStep, lastValue: metrics.lastValue, minValue: metrics.minValue, maxValue: metrics.maxValue })
    .from(metrics)
    .where(eq(metrics.runId, runId))
    .orderBy(asc(metrics.key));
}
