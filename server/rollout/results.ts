/**
 * An experiment's results: each user counts once, in the variation of their first exposure, with
 * their events after it (mean metrics: the sum of their values, 0 without events; proportion
 * metrics: whether any value was > 0). Every variation is compared with the control (variation 0)
 * on every metric: Welch's test with a relative effect, the always-valid sequential CI (results are
 * looked at while the experiment runs), Bayesian chance to win and risk; and users per variation
 * against the rule's weights for a sample-ratio mismatch.
 */
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { PretextError } from "@/server/errors";
import { getDeploymentByName } from "@/server/serving/deployments";
import { name } from "@/server/validation";
import { getFlag } from "./flags";
import { listOutcomeMetrics } from "./outcomes";
import { compareVariations, srmHealth, type Comparison, type SrmHealth, type SufficientStatistic } from "./stats";

export const experimentKey = name;

export interface VariationResult {
  variationId: number;
  version: number;
  users: number;
  mean: number;
  /** against the control; absent for the control itself */
  comparison?: Comparison;
}

export interface ExperimentResults {
  deployment: string;
  experiment: string;
  variations: { variationId: number; version: number; users: number; expectedShare: number }[];
  srm: { pValue: number; health: SrmHealth };
  metrics: { key: string; kind: "mean" | "proportion"; goal: "increase" | "decrease"; guardrail: boolean; variations: VariationResult[] }[];
}

/** The results as they stood at `until` (default: now): only exposures and events up to then. */
export async function experimentResults(database: Database, deploymentName: string, key: string, until: Date | null = null): Promise<ExperimentResults> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const firstExposures = `select distinct on (user_id) user_id, variation_id, version, at from exposures
                          where deployment_id = $1 and experiment_key = $2 and ($3::timestamptz is null or at <= $3) order by user_id, at`;
  const variationRows = await query<{ variation_id: number; version: number; users: number }>(
    database,
    `select variation_id, min(version)::int as version, count(*)::int as users from (${firstExposures}) f group by variation_id order by variation_id`,
    [deployment.id, key, until],
  );
  const flag = await getFlag(database, deployment);
  const rule = flag?.rules.find((r) => r.kind === "experiment" && r.key === key);
  if (!rule && variationRows.length === 0 && until === null) throw new PretextError(404, `experiment ${JSON.stringify(key)} of deployment ${deployment.name} not found (no exposures, no rule)`);
  const count = Math.max(rule?.kind === "experiment" ? rule.versions.length : 0, ...variationRows.map((v) => v.variation_id + 1));
  const weights = rule?.kind === "experiment" ? rule.weights : Array.from({ length: count }, () => 1 / count);
  const variations = Array.from({ length: count }, (_, id) => {
    const seen = variationRows.find((v) => v.variation_id === id);
    const version = seen?.version ?? (rule?.kind === "experiment" ? rule.versions[id] : 0);
    return { variationId: id, version, users: seen?.users ?? 0, expectedShare: weights[id] ?? 0 };
  });
  const srm = count >= 2 ? srmHealth(variations.map((v) => v.users), weights) : { pValue: 1, health: "not-enough-traffic" as const };

  const metrics = [];
  for (const metric of await listOutcomeMetrics(database)) {
    const rows = await query<{ variation_id: number; n: number; sum: number; ss: number; converted: number }>(
      database,
      `select f.variation_id, count(*)::int as n, coalesce(sum(u.value), 0)::float8 as sum, coalesce(sum(u.value * u.value), 0)::float8 as ss,
              (count(*) filter (where u.value > 0))::int as converted
         from (${firstExposures}) f
         left join lateral (select sum(e.value) as value from outcome_events e where e.metric_id = $4 and e.user_id = f.user_id and e.at >= f.at and ($3::timestamptz is null or e.at <= $3)) u on true
        group by f.variation_id order by f.variation_id`,
      [deployment.id, key, until, metric.id],
    );
    const statistic = (id: number): SufficientStatistic => {
      const r = rows.find((x) => x.variation_id === id);
      if (metric.kind === "proportion") return { kind: "proportion", n: r?.n ?? 0, sum: r?.converted ?? 0 };
      return { kind: "mean", n: r?.n ?? 0, sum: r?.sum ?? 0, sumSquares: r?.ss ?? 0 };
    };
    const control = statistic(0);
    metrics.push({
      key: metric.key,
      kind: metric.kind,
      goal: metric.goal,
      guardrail: metric.guardrail,
      variations: variations.map((v): VariationResult => {
        const s = statistic(v.variationId);
        const result: VariationResult = { variationId: v.variationId, version: v.version, users: s.n, mean: s.n ? s.sum / s.n : 0 };
        if (v.variationId > 0) result.comparison = compareVariations(control, s, { inverse: metric.goal === "decrease", sequential: true });
        return result;
      }),
    });
  }
  return { deployment: deployment.name, experiment: key, variations, srm, metrics };
}

export interface LiftPoint {
  at: string;
  users: number;
  /** per treatment variation: relative lift and its 95 % CI (fixed-horizon and sequential) */
  variations: { variationId: number; lift: number; ci: [number, number]; sequentialCi: [number, number] | null }[];
}

/** The cumulative lift of `metric` as it stood at `points` moments from the first exposure to the last. */
export async function liftOverTime(database: Database, deploymentName: string, key: string, metric: string, points = 20): Promise<LiftPoint[]> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const [span] = await query<{ first: Date | string | null; last: Date | string | null }>(database, `select min(at) as first, max(at) as last from exposures where deployment_id = $1 and experiment_key = $2`, [
    deployment.id,
    key,
  ]);
  if (!span.first || !span.last) return [];
  const [first, last] = [new Date(span.first).getTime(), new Date(span.last).getTime()];
  const series: LiftPoint[] = [];
  for (let i = 1; i <= points; i++) {
    // the last point is the results as they stand now (events after the last exposure included)
    const until = i === points ? null : new Date(first + ((last - first) * i) / points);
    const results = await experimentResults(database, deploymentName, key, until);
    const m = results.metrics.find((x) => x.key === metric);
    if (!m) throw new PretextError(404, `metric "${metric}" not found`);
    series.push({
      at: (until ?? new Date()).toISOString(),
      users: results.variations.reduce((s, v) => s + v.users, 0),
      variations: m.variations.filter((v) => v.comparison && !v.comparison.error).map((v) => ({ variationId: v.variationId, lift: v.comparison!.effect, ci: v.comparison!.ci, sequentialCi: v.comparison!.sequential?.ci ?? null })),
    });
  }
  return series;
}
