/** The experiments a deployment's flag has run: every experiment key its exposures name, with users and dates. */
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { getDeploymentByName } from "@/server/serving/deployments";

export interface ExperimentSummary {
  key: string;
  users: number;
  firstExposure: Date;
  lastExposure: Date;
}

export async function listExperiments(database: Database, deploymentName: string): Promise<ExperimentSummary[]> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const rows = await query<{ key: string; users: number; first: Date | string; last: Date | string }>(
    database,
    `select experiment_key as key, count(distinct user_id)::int as users, min(at) as first, max(at) as last
       from exposures where deployment_id = $1 group by experiment_key order by max(at) desc`,
    [deployment.id],
  );
  return rows.map((r) => ({ key: r.key, users: r.users, firstExposure: new Date(r.first), lastExposure: new Date(r.last) }));
}
