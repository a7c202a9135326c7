/** Reading the registry: names with their versions, one version's lineage, two versions compared. */
import { desc, eq, inArray, sql } from "drizzle-orm";
import { artifacts, benchmarkResults, datasets, deployments, encoders, runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { notFound } from "@/server/errors";
import { labelEfficiencyCurve, type LabelEfficiencyCurve } from "@/server/services/benchmarks";
import { getEncoder, type EncoderRow } from "./encoders";
import { describeRule } from "./gates";
import { gateChecks, getGate, sameWeights, stageHistory } from "./promotion";

export interface EncoderNameSummary {
  name: string;
  versions: number;
  latest: number;
  production: number | null;
  staging: number[];
  updatedAt: Date;
}

export async function listEncoderNames({ db }: Database): Promise<EncoderNameSummary[]> {
  const rows = await db
    .select({
      name: encoders.name,
      versions: sql<number>`count(*)::int`.mapWith(Number),
      latest: sql<number>`max(${encoders.version})`.mapWith(Number),
      production: sql<number | null>`max(${encoders.version}) filter (where ${encoders.stage} = 'production')`,
      staging: sql<number[]>`coalesce(array_agg(${encoders.version} order by ${encoders.version}) filter (where ${encoders.stage} = 'staging'), '{}')`,
      updatedAt: sql<Date>`max(${encoders.createdAt})`.mapWith((v) => new Date(v)),
    })
    .from(encoders)
    .groupBy(encoders.name)
    .orderBy(desc(sql`max(${encoders.createdAt})`));
  return rows.map((r) => ({ ...r, production: r.production === null ? null : Number(r.production), staging: (r.staging ?? []).map(Number) }));
}

/** Every version of a name, newest first, with the label-efficiency curve each was measured with. */
export async function encoderVersions(database: Database, encoderName: string) {
  const rows = await database.db.select().from(encoders).where(eq(encoders.name, encoderName)).orderBy(desc(encoders.version));
  if (rows.length === 0) throw notFound("encoder", JSON.stringify(encoderName));
  const curves = await Promise.all(rows.map((r) => versionCurve(database, r)));
  const gate = await getGate(database, encoderName);
  const deployed = await database.db.select().from(deployments).where(eq(deployments.encoderName, encoderName)).orderBy(deployments.name);
  return {
    name: encoderName,
    versions: rows.map((r, i) => ({ ...r, curve: curves[i] })),
    gate: gate ? { ...gate, described: gate.rules.map(describeRule) } : null,
    deployments: deployed,
  };
}

/** A version's curve: its own results, or those of the versions sharing its weights. */
async function versionCurve(database: Database, encoder: EncoderRow): Promise<LabelEfficiencyCurve | null> {
  for (const id of [encoder.id, ...(await sameWeights(database, encoder)).filter((i) => i !== encoder.id)]) {
    const curve = await labelEfficiencyCurve(database, { encoderId: id });
    if (curve.series.length) return curve;
  }
  return null;
}

const artifactSummary = { id: artifacts.id, runId: artifacts.runId, name: artifacts.name, bytes: artifacts.bytes, sha256: artifacts.sha256, kind: artifacts.kind };

/** One version with its lineage: run → weights → dataset → benchmark results → deployments, and its stage history. */
export async function encoderLineage(database: Database, id: number) {
  const encoder = await getEncoder(database, id);
  const { db } = database;
  const artifactIds = [encoder.artifactId, encoder.onnxArtifactId, encoder.headArtifactId].filter((a): a is number => a !== null);
  const files = artifactIds.length ? await db.select(artifactSummary).from(artifacts).where(inArray(artifacts.id, artifactIds)) : [];
  const file = (aid: number | null) => files.find((f) => f.id === aid) ?? null;
  const [run] = encoder.runId === null ? [] : await db.select({ id: runs.id, name: runs.name, status: runs.status, experimentId: runs.experimentId }).from(runs).where(eq(runs.id, encoder.runId));
  const [dataset] = encoder.datasetId === null ? [] : await db.select({ id: datasets.id, name: datasets.name, count: datasets.count }).from(datasets).where(eq(datasets.id, encoder.datasetId));
  const weightIds = await sameWeights(database, encoder);
  const evaluations = await db
    .selectDistinct({ id: runs.id, name: runs.name, benchmark: benchmarkResults.benchmark })
    .from(benchmarkResults)
    .innerJoin(runs, eq(runs.id, benchmarkResults.runId))
    .where(inArray(benchmarkResults.encoderId, weightIds));
  const headRun = encoder.headArtifactId === null ? null : (file(encoder.headArtifactId)?.runId ?? null);
  const deployed = await db.select().from(deployments).where(eq(deployments.encoderName, encoder.name)).orderBy(deployments.name);
  return {
    encoder,
    run: run ?? null,
    weights: file(encoder.artifactId),
    onnx: file(encoder.onnxArtifactId),
    head: file(encoder.headArtifactId),
    headRunId: headRun,
    dataset: dataset ?? null,
    evaluations,
    curve: await versionCurve(database, encoder),
    deployments: deployed.map((d) => ({ ...d, serving: encoder.stage === "production" })),
    gate: await gateChecks(database, encoder),
    history: await stageHistory(database, [encoder.id]),
  };
}

export interface ComparedResult {
  benchmark: string;
  metric: string;
  method: string;
  labelFraction: number;
  a: { mean: number; std: number; n: number } | null;
  b: { mean: number; std: number; n: number } | null;
  /** b − a, with its standard error over seeds √(s²a/na + s²b/nb) */
  diff: number | null;
  se: number | null;
}

/** Two versions' results side by side (means over seeds), with their difference and its uncertainty. */
export async function compareVersions(database: Database, aId: number, bId: number) {
  const [a, b] = [await getEncoder(database, aId), await getEncoder(database, bId)];
  const stats = async (e: EncoderRow) =>
    database.db
      .select({
        benchmark: benchmarkResults.benchmark,
        metric: benchmarkResults.metric,
        method: benchmarkResults.method,
        labelFraction: benchmarkResults.labelFraction,
        mean: sql<number>`avg(${benchmarkResults.value})`.mapWith(Number),
        std: sql<number>`coalesce(stddev_samp(${benchmarkResults.value}), 0)`.mapWith(Number),
        n: sql<number>`count(*)::int`.mapWith(Number),
      })
      .from(benchmarkResults)
      .where(inArray(benchmarkResults.encoderId, await sameWeights(database, e)))
      .groupBy(benchmarkResults.benchmark, benchmarkResults.metric, benchmarkResults.method, benchmarkResults.labelFraction);
  const [ra, rb] = await Promise.all([stats(a), stats(b)]);
  const key = (r: { benchmark: string; metric: string; method: string; labelFraction: number }) => JSON.stringify([r.benchmark, r.metric, r.method, r.labelFraction]);
  const rows = new Map<string, ComparedResult>();
  for (const [side, list] of [["a", ra], ["b", rb]] as const) {
    for (const r of list) {
      const row = rows.get(key(r)) ?? { benchmark: r.benchmark, metric: r.metric, method: r.method, labelFraction: r.labelFraction, a: null, b: null, diff: null, se: null };
      row[side] = { mean: r.mean, std: r.std, n: r.n };
      rows.set(key(r), row);
    }
  }
  for (const row of rows.values()) {
    if (!row.a || !row.b) continue;
    row.diff = row.b.mean - row.a.mean;
    row.se = Math.sqrt(row.a.std ** 2 / row.a.n + row.b.std ** 2 / row.b.n);
  }
  const results = [...rows.values()].sort((x, y) => x.benchmark.localeCompare(y.benchmark) || x.metric.localeCompare(y.metric) || x.method.localeCompare(y.method) || x.labelFraction - y.labelFraction);
  const brief = (e: EncoderRow) => ({ id: e.id, name: e.name, version: e.version, stage: e.stage });
  return { a: brief(a), b: brief(b), results };
}
