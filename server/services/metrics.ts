/**
 * Metric ingestion: a batch of params and points is written all-or-nothing, keyed by
 * (run, key, step) so a retried batch overwrites instead of duplicating.
 *
 * Fast path: a batch that only appends (every step beyond the series' last step) is COPYed
 * straight into metric_points and its block summaries are merged in. Anything else (a retry, a
 * backfill) goes through a staging table and an upsert, and the touched blocks are recomputed.
 */
import { METRIC_BLOCK_STEPS } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { withTransaction, type SqlTx } from "@/server/db/sql";
import { badInput, describeZodError, notFound, PretextError } from "@/server/errors";
import { logBatch as logBatchSchema, MAX_BATCH_POINTS, toNumber } from "@/server/validation";
import type { ParamValue } from "@/server/tracking/tracker";

export interface Point {
  key: string;
  step: number;
  value: number;
  wallTime: number;
}

/** Validates a batch as it arrives over the API; the size limit is checked first so it is a 413. */
export function parseLogBatch(body: unknown): { params: Record<string, ParamValue>; points: Point[] } {
  const rawMetrics = (body as { metrics?: unknown } | null)?.metrics;
  if (Array.isArray(rawMetrics) && rawMetrics.length > MAX_BATCH_POINTS) {
    throw new PretextError(413, `metrics: a batch holds at most ${MAX_BATCH_POINTS} points, got ${rawMetrics.length}`);
  }
  const parsed = logBatchSchema.safeParse(body);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const now = Date.now();
  return {
    params: parsed.data.params ?? {},
    points: (parsed.data.metrics ?? []).map((m) => ({
      key: m.key,
      step: m.step,
      value: toNumber(m.value),
      wallTime: m.timestamp ?? now,
    })),
  };
}

/** Validates a batch (nothing touches the database if it is bad), then writes it. */
export async function logBatch(database: Database, runId: number, body: unknown): Promise<{ points: number; params: number }> {
  const { params, points } = parseLogBatch(body);
  return writeBatch(database, runId, params, points);
}

/** Writes already-validated params and points (in-process callers skip the JSON round trip). */
export async function writeBatch(
  database: Database,
  runId: number,
  params: Record<string, ParamValue>,
  points: Point[],
): Promise<{ points: number; params: number }> {
  if (points.length > MAX_BATCH_POINTS) {
    throw new PretextError(413, `metrics: a batch holds at most ${MAX_BATCH_POINTS} points, got ${points.length}`);
  }
  const series = groupByKey(points);
  const write = () => withTransaction(database, async (tx) => {
    const [run] = await tx.query<{ experiment_id: number }>("select experiment_id from runs where id = $1 for share", [runId]);
    if (!run) throw notFound("run", runId);
    await writeParams(tx, runId, params);
    await recordKeys(tx, run.experiment_id, Object.keys(params), [...series.keys()]);
    if (series.size === 0) return;
    const ids = await upsertMetricSummaries(tx, runId, series);
    const appendOnly = [...series].every(([key, s]) => s.firstStep > ids.get(key)!.previousLastStep);
    if (appendOnly) {
      await tx.copyIn("metric_points", ["metric_id", "step", "wall_time", "value"], toTsv(series, ids));
      await mergeBlocks(tx, series, ids);
    } else {
      await upsertPoints(tx, series, ids);
      await recomputeBlocks(tx, series, ids);
    }
  });
  try {
    await write();
  } catch (err) {
    // Two copies of one batch racing on a new series both take the fast path; the loser
    // hits the primary key and, tried again, sees the winner's points and upserts.
    if ((err as { code?: string }).code !== "23505") throw err;
    await write();
  }
  return { points: [...series.values()].reduce((n, s) => n + s.points.length, 0), params: Object.keys(params).length };
}

interface Series {
  /** deduplicated by step (the last point for a step wins), sorted by step */
  points: Point[];
  firstStep: number;
  last: Point;
  min: Point | null;
  max: Point | null;
}

function groupByKey(points: Point[]): Map<string, Series> {
  const byKey = new Map<string, Map<number, Point>>();
  for (const p of points) {
    let steps = byKey.get(p.key);
    if (!steps) byKey.set(p.key, (steps = new Map()));
    steps.set(p.step, p);
  }
  const out = new Map<string, Series>();
  for (const [key, steps] of byKey) {
    const sorted = [...steps.values()].sort((a, b) => a.step - b.step);
    const finite = sorted.filter((p) => Number.isFinite(p.value));
    out.set(key, {
      points: sorted,
      firstStep: sorted[0].step,
      last: sorted[sorted.length - 1],
      min: finite.reduce<Point | null>((m, p) => (m === null || p.value < m.value ? p : m), null),
      max: finite.reduce<Point | null>((m, p) => (m === null || p.value > m.value ? p : m), null),
    });
  }
  return out;
}

async function writeParams(tx: SqlTx, runId: number, params: Record<string, ParamValue>) {
  const entries = Object.entries(params);
  if (!entries.length) return;
  const type = (v: ParamValue) => (v === null ? "null" : typeof v);
  await tx.query(
    `insert into params (run_id, key, type, value, number_value)
     select $1, k, t, v, n from unnest($2::text[], $3::text[], $4::text[], $5::float8[]) as x(k, t, v, n)
     on conflict (run_id, key) do update set type = excluded.type, value = excluded.value, number_value = excluded.number_value`,
    [
      runId,
      entries.map(([k]) => k),
      entries.map(([, v]) => type(v)),
      entries.map(([, v]) => String(v)),
      entries.map(([, v]) => (typeof v === "number" ? v : null)),
    ],
  );
}

/** Keeps the experiment's key list (the runs table's columns) current: a few index probes a batch. */
async function recordKeys(tx: SqlTx, experimentId: number, paramKeys: string[], metricKeys: string[]) {
  if (paramKeys.length + metricKeys.length === 0) return;
  await tx.query(
    `insert into experiment_keys (experiment_id, kind, key)
     select $1, kind, key from unnest($2::text[], $3::text[]) as x(kind, key)
     on conflict do nothing`,
    [experimentId, [...paramKeys.map(() => "param"), ...metricKeys.map(() => "metric")], [...paramKeys, ...metricKeys]],
  );
}

/** Creates missing series and merges the batch into each series' summary; returns ids and the previous last step. */
async function upsertMetricSummaries(tx: SqlTx, runId: number, series: Map<string, Series>) {
  const keys = [...series.keys()];
  // The previous last step decides the fast path; lock the rows so concurrent batches see each other.
  const before = await tx.query<{ key: string; last_step: string | null }>(
    "select key, last_step from metrics where run_id = $1 and key = any($2::text[]) for update",
    [runId, keys],
  );
  const previous = new Map(before.map((r) => [r.key, r.last_step === null ? -1 : Number(r.last_step)]));
  const rows = await tx.query<{ id: number; key: string }>(
    `insert into metrics (run_id, key, last_step, last_value, min_value, max_value)
     select $1, k, s, v, mn, mx from unnest($2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[]) as x(k, s, v, mn, mx)
     on conflict (run_id, key) do update set
       last_value = case when metrics.last_step is null or excluded.last_step >= metrics.last_step
                         then excluded.last_value else metrics.last_value end,
       last_step = greatest(metrics.last_step, excluded.last_step),
       min_value = least(metrics.min_value, excluded.min_value),
       max_value = greatest(metrics.max_value, excluded.max_value),
       updated_at = now()
     returning id, key`,
    [
      runId,
      keys,
      keys.map((k) => series.get(k)!.last.step),
      keys.map((k) => series.get(k)!.last.value),
      keys.map((k) => series.get(k)!.min?.value ?? null),
      keys.map((k) => series.get(k)!.max?.value ?? null),
    ],
  );
  return new Map(rows.map((r) => [r.key, { id: r.id, previousLastStep: previous.get(r.key) ?? -1 }]));
}

type SeriesIds = Map<string, { id: number; previousLastStep: number }>;

function toTsv(series: Map<string, Series>, ids: SeriesIds): string {
  const lines: string[] = [];
  for (const [key, s] of series) {
    const id = ids.get(key)!.id;
    for (const p of s.points) lines.push(`${id}\t${p.step}\t${p.wallTime}\t${p.value}`);
  }
  lines.push("");
  return lines.join("\n");
}

async function upsertPoints(tx: SqlTx, series: Map<string, Series>, ids: SeriesIds) {
  await tx.query(
    "create temp table if not exists points_stage (metric_id int, step bigint, wall_time bigint, value float8) on commit delete rows",
  );
  await tx.copyIn("points_stage", ["metric_id", "step", "wall_time", "value"], toTsv(series, ids));
  await tx.query(
    `insert into metric_points (metric_id, step, wall_time, value) select metric_id, step, wall_time, value from points_stage
     on conflict (metric_id, step) do update set wall_time = excluded.wall_time, value = excluded.value`,
  );
}

interface Block {
  metricId: number;
  block: number;
  count: number;
  first: Point;
  last: Point;
  min: Point | null;
  max: Point | null;
  hasNonFinite: boolean;
}

function blocksOf(series: Map<string, Series>, ids: SeriesIds): Block[] {
  const blocks: Block[] = [];
  for (const [key, s] of series) {
    const metricId = ids.get(key)!.id;
    let b: Block | null = null;
    for (const p of s.points) {
      const block = Math.floor(p.step / METRIC_BLOCK_STEPS);
      if (!b || b.block !== block) {
        b = { metricId, block, count: 0, first: p, last: p, min: null, max: null, hasNonFinite: false };
        blocks.push(b);
      }
      b.count++;
      b.last = p;
      if (!Number.isFinite(p.value)) b.hasNonFinite = true;
      else {
        if (!b.min || p.value < b.min.value) b.min = p;
        if (!b.max || p.value > b.max.value) b.max = p;
      }
    }
  }
  return blocks;
}

const BLOCK_COLUMNS = `metric_id, block, count, first_step, first_value, first_wall, last_step, last_value, last_wall,
  min_step, min_value, min_wall, max_step, max_value, max_wall, has_non_finite`;

/** Appended points only extend blocks, so each block summary merges with the stored one. */
async function mergeBlocks(tx: SqlTx, series: Map<string, Series>, ids: SeriesIds) {
  const blocks = blocksOf(series, ids);
  const col = <T>(f: (b: Block) => T) => blocks.map(f);
  await tx.query(
    `insert into metric_blocks (${BLOCK_COLUMNS})
     select * from unnest($1::int[], $2::bigint[], $3::int[], $4::bigint[], $5::float8[], $6::bigint[], $7::bigint[], $8::float8[],
       $9::bigint[], $10::bigint[], $11::float8[], $12::bigint[], $13::bigint[], $14::float8[], $15::bigint[], $16::bool[])
     on conflict (metric_id, block) do update set
       count = metric_blocks.count + excluded.count,
       last_step = excluded.last_step, last_value = excluded.last_value, last_wall = excluded.last_wall,
       min_step = case when metric_blocks.min_value is null or excluded.min_value < metric_blocks.min_value then excluded.min_step else metric_blocks.min_step end,
       min_wall = case when metric_blocks.min_value is null or excluded.min_value < metric_blocks.min_value then excluded.min_wall else metric_blocks.min_wall end,
       min_value = case when metric_blocks.min_value is null or excluded.min_value < metric_blocks.min_value then excluded.min_value else metric_blocks.min_value end,
       max_step = case when metric_blocks.max_value is null or excluded.max_value > metric_blocks.max_value then excluded.max_step else metric_blocks.max_step end,
       max_wall = case when metric_blocks.max_value is null or excluded.max_value > metric_blocks.max_value then excluded.max_wall else metric_blocks.max_wall end,
       max_value = case when metric_blocks.max_value is null or excluded.max_value > metric_blocks.max_value then excluded.max_value else metric_blocks.max_value end,
       has_non_finite = metric_blocks.has_non_finite or excluded.has_non_finite`,
    [
      col((b) => b.metricId),
      col((b) => b.block),
      col((b) => b.count),
      col((b) => b.first.step),
      col((b) => b.first.value),
      col((b) => b.first.wallTime),
      col((b) => b.last.step),
      col((b) => b.last.value),
      col((b) => b.last.wallTime),
      col((b) => b.min?.step ?? null),
      col((b) => b.min?.value ?? null),
      col((b) => b.min?.wallTime ?? null),
      col((b) => b.max?.step ?? null),
      col((b) => b.max?.value ?? null),
      col((b) => b.max?.wallTime ?? null),
      col((b) => b.hasNonFinite),
    ],
  );
}

/** After an overwrite, the touched blocks are rebuilt from the points themselves. */
async function recomputeBlocks(tx: SqlTx, series: Map<string, Series>, ids: SeriesIds) {
  const touched = blocksOf(series, ids);
  await tx.query(
    `insert into metric_blocks (${BLOCK_COLUMNS})
     select metric_id, block, n, f[1]::bigint, f[2], f[3]::bigint, l[1]::bigint, l[2], l[3]::bigint,
            mn[2]::bigint, mn[1], mn[3]::bigint, mx[2]::bigint, mx[1], mx[3]::bigint, nf
     from (
       select p.metric_id, p.step / ${METRIC_BLOCK_STEPS} as block, count(*)::int as n,
         min(array[p.step::float8, p.value, p.wall_time::float8]) as f,
         max(array[p.step::float8, p.value, p.wall_time::float8]) as l,
         min(array[p.value, p.step::float8, p.wall_time::float8]) filter (where p.value not in ('NaN', 'Infinity', '-Infinity')) as mn,
         max(array[p.value, p.step::float8, p.wall_time::float8]) filter (where p.value not in ('NaN', 'Infinity', '-Infinity')) as mx,
         bool_or(p.value in ('NaN', 'Infinity', '-Infinity')) as nf
       from metric_points p
       join unnest($1::int[], $2::bigint[]) as t(metric_id, block)
         on p.metric_id = t.metric_id and p.step >= t.block * ${METRIC_BLOCK_STEPS} and p.step < (t.block + 1) * ${METRIC_BLOCK_STEPS}
       group by 1, 2
     ) s
     on conflict (metric_id, block) do update set
       count = excluded.count, first_step = excluded.first_step, first_value = excluded.first_value, first_wall = excluded.first_wall,
       last_step = excluded.last_step, last_value = excluded.last_value, last_wall = excluded.last_wall,
       min_step = excluded.min_step, min_value = excluded.min_value, min_wall = excluded.min_wall,
       max_step = excluded.max_step, max_value = excluded.max_value, max_wall = excluded.max_wall,
       has_non_finite = excluded.has_non_finite`,
    [touched.map((b) => b.metricId), touched.map((b) => b.block)],
  );
}
