/**
 * The benchmark leaderboard: for one benchmark and metric, mean ± std over seeds of every encoder ×
 * method × label fraction, beside the baselines (no encoder) pooled over all evaluation runs.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { artifacts, benchmarkResults, encoders } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError } from "@/server/errors";
import { EMBEDDING_MAP_ARTIFACT } from "./embedding-map";

export const leaderboardQuery = z.object({
  /** default: the benchmark with the latest result */
  benchmark: z.string().min(1).max(200).optional(),
  metric: z.string().min(1).max(100).default("test_accuracy"),
});
export type LeaderboardQuery = z.input<typeof leaderboardQuery>;

export interface LeaderboardCell {
  mean: number;
  std: number;
  /** seeds (results) behind the mean */
  n: number;
}

export interface LeaderboardRow {
  /** null for a baseline (supervised from scratch, raw-input probe) */
  encoder: { id: number; name: string; version: number } | null;
  method: string;
  /** one cell per entry of `fractions` (null where not measured) */
  cells: (LeaderboardCell | null)[];
  /** the evaluation runs whose results are included, oldest first */
  runIds: number[];
  /** the latest of those runs that stored an embedding map */
  embeddingMapRunId: number | null;
}

export interface Leaderboard {
  /** every benchmark with results for `metric`, latest first */
  benchmarks: string[];
  benchmark: string | null;
  metric: string;
  fractions: number[];
  rows: LeaderboardRow[];
}

export async function leaderboard(database: Database, input: LeaderboardQuery = {}): Promise<Leaderboard> {
  const parsed = leaderboardQuery.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const { metric } = parsed.data;
  const { db } = database;
  const benchmarks = (
    await db
      .select({ name: benchmarkResults.benchmark })
      .from(benchmarkResults)
      .where(eq(benchmarkResults.metric, metric))
      .groupBy(benchmarkResults.benchmark)
      .orderBy(sql`max(${benchmarkResults.id}) desc`)
  ).map((b) => b.name);
  const benchmark = parsed.data.benchmark ?? benchmarks[0] ?? null;
  if (benchmark === null) return { benchmarks, benchmark, metric, fractions: [], rows: [] };

  const groups = await db
    .select({
      encoderId: benchmarkResults.encoderId,
      method: benchmarkResults.method,
      labelFraction: benchmarkResults.labelFraction,
      mean: sql<number>`avg(${benchmarkResults.value})`.mapWith(Number),
      std: sql<number>`coalesce(stddev_samp(${benchmarkResults.value}), 0)`.mapWith(Number),
      n: sql<number>`count(*)::int`.mapWith(Number),
      runIds: sql<string>`coalesce(json_agg(distinct ${benchmarkResults.runId}) filter (where ${benchmarkResults.runId} is not null), '[]')::text`,
    })
    .from(benchmarkResults)
    .where(and(eq(benchmarkResults.benchmark, benchmark), eq(benchmarkResults.metric, metric)))
    .groupBy(benchmarkResults.encoderId, benchmarkResults.method, benchmarkResults.labelFraction);

  const fractions = [...new Set(groups.map((g) => g.labelFraction))].sort((a, b) => a - b);
  const encoderIds = [...new Set(groups.flatMap((g) => (g.encoderId === null ? [] : [g.encoderId])))];
  const encoderRows = encoderIds.length
    ? await db.select({ id: encoders.id, name: encoders.name, version: encoders.version }).from(encoders).where(inArray(encoders.id, encoderIds))
    : [];
  const encoderById = new Map(encoderRows.map((e) => [e.id, e]));

  const rows = new Map<string, LeaderboardRow>();
  for (const g of groups) {
    const id = `${g.encoderId ?? "baseline"}/${g.method}`;
    const row = rows.get(id) ?? {
      encoder: g.encoderId === null ? null : (encoderById.get(g.encoderId) ?? null),
      method: g.method,
      cells: fractions.map(() => null),
      runIds: [],
      embeddingMapRunId: null,
    };
    row.cells[fractions.indexOf(g.labelFraction)] = { mean: g.mean, std: g.std, n: g.n };
    row.runIds = [...new Set([...row.runIds, ...(JSON.parse(g.runIds) as number[])])].sort((a, b) => a - b);
    rows.set(id, row);
  }

  const allRunIds = [...new Set([...rows.values()].flatMap((r) => r.runIds))];
  const withMap = new Set(
    allRunIds.length
      ? (
          await db
            .select({ runId: artifacts.runId })
            .from(artifacts)
            .where(and(inArray(artifacts.runId, allRunIds), eq(artifacts.name, EMBEDDING_MAP_ARTIFACT)))
        ).map((a) => a.runId)
      : [],
  );
  for (const row of rows.values()) {
    if (row.encoder) row.embeddingMapRunId = row.runIds.filter((r) => withMap.has(r)).at(-1) ?? null;
  }
  // Encoders first, best at the smallest fraction first: what the unlabeled data bought.
  const first = (r: LeaderboardRow) => r.cells.find((c) => c !== null)?.mean ?? -Infinity;
  const sorted = [...rows.values()].sort((a, b) => Number(a.encoder === null) - Number(b.encoder === null) || first(b) - first(a));
  return { benchmarks, benchmark, metric, fractions, rows: sorted };
}
