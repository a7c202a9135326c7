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

export async function experimentResults(database: Database, deploymentName: string, key: string): Promise<ExperimentResults> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const firstExposures = `select distinct on (user_id) user_id, variation_id, version, at from exposures
                          where deployment_id = $1 and experiment_key = $2 order by user_id, at`;
  const variationRows = await query<{ variation_id: number; version: number; users: number }>(
    database,
    `select variation_id, min(version)::int as version, count(*)::int as users from (${firstExposures}) f group by variation_id order by variation_id`,
    [deployment.id, key],
  );
  const flag = await getFlag(database, deployment);
  const rule = flag?.rules.find((r) => r.kind === "experiment" && r.key === key);
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
         left join lateral (select sum(e.value) as value from outcome_events e where e.metric_id = $3 and e.user_id = f.user_id and e.at >= f.at) u on true
        group by f.variation_id order by f.variation_id`,
      [deployment.id, key, metric.id],
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
