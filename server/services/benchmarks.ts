/**
 * Benchmark results (one measured number per encoder/baseline × protocol × label fraction × seed)
 * and the label-efficiency curve built from them: accuracy against labeled fraction per method,
 * as mean ± std over seeds.
 */
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { benchmarkResults, encoders } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError, notFound } from "@/server/errors";
import { idOf, MAX_ID } from "@/server/validation";
import { getRun } from "./runs";

export const MAX_BENCHMARK_RESULTS = 10_000;

export const benchmarkResultInput = z.object({
  /** null for baselines that use no encoder (supervised from scratch, raw-input probe) */
  encoderId: idOf("an encoder").nullable(),
  benchmark: z.string().min(1).max(200),
  method: z.string().min(1).max(100),
  labelFraction: z.number().gt(0, "must be > 0").max(1, "must be <= 1"),
  seed: z.number().int().min(0).max(MAX_ID, `must be at most ${MAX_ID}`),
  metric: z.string().min(1).max(100),
  value: z.number({ error: "must be a finite number" }).finite("must be a finite number"),
  /** what the protocol chose on validation (policy, lr, steps, …) and the steps it spent */
  settings: z
    .record(z.string().min(1).max(100), z.union([z.number().finite(), z.string().max(200)], { error: "must be a finite number or a string of at most 200 characters" }))
    .refine((s) => Object.keys(s).length <= 50, "at most 50 settings")
    .optional(),
});
export type BenchmarkResultInput = z.input<typeof benchmarkResultInput>;

export const benchmarkResultsBatch = z.array(benchmarkResultInput).max(MAX_BENCHMARK_RESULTS, `at most ${MAX_BENCHMARK_RESULTS} results per batch`);

/** Removes what run `runId` measured: a retried evaluation run starts over rather than adding duplicates. */
export async function clearRunBenchmarkResults({ db }: Database, runId: number): Promise<void> {
  await db.delete(benchmarkResults).where(eq(benchmarkResults.runId, runId));
}

/** Stores results measured by run `runId`, all or nothing; unknown encoder ids are refused. */
export async function recordBenchmarkResults(database: Database, runId: number, input: BenchmarkResultInput[]) {
  const parsed = z.object({ results: benchmarkResultsBatch }).safeParse({ results: input });
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const results = parsed.data.results;
  await getRun(database, runId);
  const ids = [...new Set(results.flatMap((r) => (r.encoderId === null ? [] : [r.encoderId])))];
  if (ids.length > 0) {
    const known = new Set((await database.db.select({ id: encoders.id }).from(encoders).where(inArray(encoders.id, ids))).map((r) => r.id));
    const missing = ids.find((id) => !known.has(id));
    if (missing !== undefined) throw notFound("encoder", missing);
  }
  if (results.length === 0) return { stored: 0 };
  await database.db.insert(benchmarkResults).values(results.map((r) => ({ ...r, runId })));
  return { stored: results.length };
}

export const curveQuery = z
  .object({
    encoderId: idOf("an encoder", true).optional(),
    runId: idOf("a run", true).optional(),
    benchmark: z.string().min(1).max(200).optional(),
    metric: z.string().min(1).max(100).default("test_accuracy"),
  })
  .refine((q) => (q.encoderId === undefined) !== (q.runId === undefined), { message: "give exactly one of encoderId and runId", path: ["encoderId"] });
export type CurveQuery = z.input<typeof curveQuery>;

export interface CurvePoint {
  labelFraction: number;
  mean: number;
  std: number;
  n: number;
  /** What the seeds chose and spent, each setting's distinct values joined ("crop / crop+flip"). */
  settings: Record<string, string>;
}

export interface LabelEfficiencyCurve {
  encoder: { id: number; name: string; version: number } | null;
  benchmark: string | null;
  metric: string;
  /** Runs whose results are included. */
  runIds: number[];
  /** One series per method; `baseline` methods used no encoder. Points sorted by fraction. */
  series: { method: string; baseline: boolean; points: CurvePoint[] }[];
}

/**
 * The label-efficiency curve of an encoder (its results, plus the baselines measured in the same
 * runs) or of a run (everything it measured), for one benchmark (default: the latest one).
 */
export async function labelEfficiencyCurve(database: Database, input: CurveQuery): Promise<LabelEfficiencyCurve> {
  const parsed = curveQuery.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const q = parsed.data;
  const { db } = database;
  let encoder: LabelEfficiencyCurve["encoder"] = null;
  let runIds: number[];
  if (q.encoderId !== undefined) {
    const [row] = await db.select({ id: encoders.id, name: encoders.name, version: encoders.version }).from(encoders).where(eq(encoders.id, q.encoderId));
    if (!row) throw notFound("encoder", q.encoderId);
    encoder = row;
    const runs = await db.selectDistinct({ runId: benchmarkResults.runId }).from(benchmarkResults).where(eq(benchmarkResults.encoderId, q.encoderId));
    runIds = runs.flatMap((r) => (r.runId === null ? [] : [r.runId]));
  } else {
    await getRun(database, q.runId!);
    runIds = [q.runId!];
  }
  const scope =
    encoder !== null
      ? or(eq(benchmarkResults.encoderId, encoder.id), runIds.length ? and(isNull(benchmarkResults.encoderId), inArray(benchmarkResults.runId, runIds)) : sql`false`)
      : eq(benchmarkResults.runId, q.runId!);
  const benchmark =
    q.benchmark ??
    (await db.select({ b: benchmarkResults.benchmark }).from(benchmarkResults).where(and(scope, eq(benchmarkResults.metric, q.metric))).orderBy(desc(benchmarkResults.id)).limit(1))[0]?.b ??
    null;
  const empty = { encoder, benchmark, metric: q.metric, runIds, series: [] };
  if (benchmark === null) return empty;
  const rows = await db
    .select({
      method: benchmarkResults.method,
      baseline: sql<boolean>`bool_and(${benchmarkResults.encoderId} is null)`,
      labelFraction: benchmarkResults.labelFraction,
      mean: sql<number>`avg(${benchmarkResults.value})`.mapWith(Number),
      std: sql<number>`coalesce(stddev_samp(${benchmarkResults.value}), 0)`.mapWith(Number),
      n: sql<number>`count(*)::int`.mapWith(Number),
    })
    .from(benchmarkResults)
    .where(and(scope, eq(benchmarkResults.benchmark, benchmark), eq(benchmarkResults.metric, q.metric)))
    .groupBy(benchmarkResults.method, benchmarkResults.labelFraction)
    .orderBy(benchmarkResults.method, benchmarkResults.labelFraction);
  const chosen = await db
    .select({ method: benchmarkResults.method, labelFraction: benchmarkResults.labelFraction, settings: benchmarkResults.settings })
    .from(benchmarkResults)
    .where(and(scope, eq(benchmarkResults.benchmark, benchmark), eq(benchmarkResults.metric, q.metric)))
    .orderBy(benchmarkResults.id);
  const series = new Map<string, LabelEfficiencyCurve["series"][number]>();
  for (const r of rows) {
    const s = series.get(r.method) ?? { method: r.method, baseline: Boolean(r.baseline), points: [] };
    s.baseline &&= Boolean(r.baseline);
    const settings = summarizeSettings(chosen.filter((c) => c.method === r.method && c.labelFraction === r.labelFraction).map((c) => c.settings));
    s.points.push({ labelFraction: r.labelFraction, mean: r.mean, std: r.std, n: r.n, settings });
    series.set(r.method, s);
  }
  return { ...empty, series: [...series.values()] };
}

/** Each setting's distinct values over the seeds, in order of first appearance. */
export function summarizeSettings(all: (Record<string, number | string> | null)[]): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const settings of all) {
    for (const [key, value] of Object.entries(settings ?? {})) {
      const seen = values.get(key) ?? [];
      if (!seen.includes(String(value))) seen.push(String(value));
      values.set(key, seen);
    }
  }
  return Object.fromEntries([...values].map(([key, seen]) => [key, seen.join(" / ")]));
}

/** The stored results of a run or an encoder, in insertion order; 404 for a run or encoder that does not exist. */
export async function listBenchmarkResults(database: Database, filter: { runId?: number; encoderId?: number }) {
  const { db } = database;
  const where = and(
    filter.runId !== undefined ? eq(benchmarkResults.runId, filter.runId) : undefined,
    filter.encoderId !== undefined ? eq(benchmarkResults.encoderId, filter.encoderId) : undefined,
  );
  const rows = await db.select().from(benchmarkResults).where(where).orderBy(benchmarkResults.id).limit(MAX_BENCHMARK_RESULTS);
  if (rows.length === 0) {
    // nothing stored, or nothing to store it on: only the latter is a 404
    if (filter.runId !== undefined) await getRun(database, filter.runId);
    if (filter.encoderId !== undefined && (await db.select({ id: encoders.id }).from(encoders).where(eq(encoders.id, filter.encoderId))).length === 0) {
      throw notFound("encoder", filter.encoderId);
    }
  }
  return rows;
}
