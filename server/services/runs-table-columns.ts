/**
 * The runs table's default columns: what tells an experiment's runs apart and how well they did.
 * Params whose values differ across runs, the metrics most runs log (loss before lr), and
 * evaluation results where there are any. A `cols` list in the URL replaces these entirely.
 */
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";

/** How often one param or metric key occurs among an experiment's runs. */
export interface KeyStats {
  kind: "param" | "metric";
  key: string;
  /** runs that logged the key */
  runs: number;
  /** distinct values among those runs (params only; 0 for metrics) */
  distinctValues: number;
}

export interface DefaultColumn {
  kind: "param" | "metric";
  key: string;
  /** why it is shown, for the column header's tooltip */
  reason: string;
}

export const DEFAULT_COLUMN_LIMITS = { params: 5, metrics: 3, evaluations: 4 } as const;

/** Stats come from the latest runs only: keeps the query bounded at 10,000-run experiments. */
export const STATS_SAMPLE_RUNS = 1000;

/** Evaluation results, as the evaluation suite logs them: eval/<method>/<label fraction>. */
const EVALUATION = /^eval\//;
/** Params that name what a run is; shown when no param differs (e.g. an experiment of one run). */
const IDENTITY_PARAM = /(^|[./_])(method|model|arch|architecture|encoder|dataset)([./](name|kind|type))?$/i;
/** Metrics logged for bookkeeping: in the chooser, a default only where a run logs nothing else. */
const BOOKKEEPING_METRIC = /^(system|health|curriculum|timing|perf)\/|^(lr|learning_rate|epoch|step|grad_norm|images_per_sec|samples_per_sec|tokens_per_sec)$/;
/** Metrics that say how well a run did. */
const HEADLINE_METRIC = /(^|[/_])(loss|acc|accuracy|f1|auc|error|top1|top5|score)($|[/_])/;

/** Picks the default columns from the experiment's key stats; `runCount` is how many runs were counted. */
export function chooseDefaultColumns(stats: KeyStats[], runCount: number): DefaultColumn[] {
  const params = stats.filter((s) => s.kind === "param");
  const metrics = stats.filter((s) => s.kind === "metric");
  const byCoverage = (a: KeyStats, b: KeyStats) => b.runs - a.runs || a.key.localeCompare(b.key);
  const logged = (s: KeyStats) => `logged by ${s.runs} of ${runCount} run${runCount === 1 ? "" : "s"}`;

  const varying = params.filter((s) => s.distinctValues > 1).sort(byCoverage);
  const identity = varying.length >= 2 ? [] : params.filter((s) => s.distinctValues <= 1 && IDENTITY_PARAM.test(s.key)).sort(byCoverage);
  const chosenParams = [
    ...varying.map((s) => ({ kind: s.kind, key: s.key, reason: `differs across runs (${s.distinctValues} values)` })),
    ...identity.map((s) => ({ kind: s.kind, key: s.key, reason: "says what the runs are" })),
  ].slice(0, DEFAULT_COLUMN_LIMITS.params);

  const trainingKeys = metrics.filter((s) => !EVALUATION.test(s.key));
  // lr or system/cpu_percent only when a run logs nothing else: a column says how runs did
  const telling = trainingKeys.filter((s) => !BOOKKEEPING_METRIC.test(s.key));
  const training = (telling.length ? telling : trainingKeys)
    .sort((a, b) => metricRank(a, runCount) - metricRank(b, runCount) || b.runs - a.runs || depth(a.key) - depth(b.key) || a.key.localeCompare(b.key))
    .slice(0, DEFAULT_COLUMN_LIMITS.metrics)
    .map((s) => ({ kind: s.kind, key: s.key, reason: logged(s) }));

  const evaluations = metrics
    .filter((s) => EVALUATION.test(s.key))
    .sort(byCoverage)
    .slice(0, DEFAULT_COLUMN_LIMITS.evaluations)
    .map((s) => ({ kind: s.kind, key: s.key, reason: `evaluation result, ${logged(s)}` }));

  return [...chosenParams, ...training, ...evaluations];
}

/** Lower first: metrics most runs log, and among those the ones that say how well a run did. */
function metricRank(s: KeyStats, runCount: number): number {
  const common = s.runs * 2 >= runCount ? 0 : 2;
  return common + (HEADLINE_METRIC.test(s.key) ? 0 : 1);
}

/** loss before loss/nt_xent: a total before its terms. */
function depth(key: string): number {
  return key.split("/").length;
}

/** The default columns of an experiment's runs table, from its latest runs' params and metrics. */
export async function defaultColumns(database: Database, experimentId: number): Promise<DefaultColumn[]> {
  const rows = await query<{ kind: "param" | "metric" | "runs"; key: string; runs: number; distinct_values: number }>(
    database,
    `with sample as (select id from runs where experiment_id = $1 order by created_at desc, id desc limit $2)
     select 'runs' as kind, '' as key, count(*)::int as runs, 0 as distinct_values from sample
     union all
     select 'param', key, count(*)::int, count(distinct value)::int from params where run_id in (select id from sample) group by key
     union all
     select 'metric', key, count(*)::int, 0 from metrics where run_id in (select id from sample) group by key`,
    [experimentId, STATS_SAMPLE_RUNS],
  );
  const runCount = rows.find((r) => r.kind === "runs")?.runs ?? 0;
  const stats = rows.flatMap((r): KeyStats[] => (r.kind === "runs" ? [] : [{ kind: r.kind, key: r.key, runs: r.runs, distinctValues: r.distinct_values }]));
  return chooseDefaultColumns(stats, runCount);
}
