/** Deployments: a name that serves the production version of an encoder. */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { deployments, encoders } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { recordAudit } from "@/server/auth/audit";
import { isUniqueViolation, notFound, PretextError } from "@/server/errors";
import { name } from "@/server/validation";

export type DeploymentRow = typeof deployments.$inferSelect;
export type EncoderRow = typeof encoders.$inferSelect;

export const deploymentInput = z.object({
  name,
  encoderName: name,
  sampleRate: z.number().min(0, "must be >= 0").max(1, "must be <= 1").default(0.01),
  retentionDays: z.number().int().min(1, "must be >= 1").max(3650, "must be <= 3650").default(30),
});
export type DeploymentInput = z.output<typeof deploymentInput>;

export async function createDeployment(database: Database, d: DeploymentInput, actor: string): Promise<DeploymentRow> {
  const [known] = await database.db.select({ id: encoders.id }).from(encoders).where(eq(encoders.name, d.encoderName)).limit(1);
  if (!known) throw notFound("encoder", d.encoderName);
  try {
    return await database.db.transaction(async (db) => {
      const [row] = await db
        .insert(deployments)
        .values({ ...d, createdBy: actor })
        .returning();
      await recordAudit(db, actor, { action: "deployment.create", objectType: "deployment", objectId: d.name, after: row });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `name: a deployment "${d.name}" already exists`);
    throw err;
  }
}

export async function getDeploymentByName({ db }: Database, deploymentName: string): Promise<DeploymentRow> {
  const [row] = await db.select().from(deployments).where(eq(deployments.name, deploymentName));
  if (!row) throw notFound("deployment", JSON.stringify(deploymentName));
  return row;
}

/** The version a deployment serves now: its encoder's production version, or null. */
export async function productionVersion({ db }: Database, encoderName: string): Promise<EncoderRow | null> {
  const [row] = await db
    .select()
    .from(encoders)
    .where(and(eq(encoders.name, encoderName), eq(encoders.stage, "production")))
    .limit(1);
  return row ?? null;
}

export interface DeploymentView extends DeploymentRow {
  serving: { id: number; name: string; version: number } | null;
  /** the last 24 hours */
  traffic: DeploymentTraffic;
}

export async function listDeployments(database: Database, filter: { encoderName?: string } = {}): Promise<DeploymentView[]> {
  const rows = await database.db
    .select({ deployment: deployments, serving: { id: encoders.id, name: encoders.name, version: encoders.version } })
    .from(deployments)
    .leftJoin(encoders, and(eq(encoders.name, deployments.encoderName), eq(encoders.stage, "production")))
    .where(filter.encoderName ? eq(deployments.encoderName, filter.encoderName) : undefined)
    .orderBy(deployments.name);
  return Promise.all(rows.map(async (r) => ({ ...r.deployment, serving: r.serving?.id ? r.serving : null, traffic: await deploymentTraffic(database, r.deployment.id) })));
}

export interface DeploymentTraffic {
  /** the window the figures cover, in hours back from now */
  hours: number;
  requests: number;
  failed: number;
  samples: number;
  /** latency of the successful requests, ms */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** What a deployment served in the last `hours`, from the request log (as far as it has been written). */
export async function deploymentTraffic(database: Database, deploymentId: number, hours = 24): Promise<DeploymentTraffic> {
  const [row] = await query<{ requests: number; failed: number; samples: number; p50: number | null; p99: number | null }>(
    database,
    `select count(*)::int as requests, (count(*) filter (where status >= 400))::int as failed, coalesce(sum(samples), 0)::int as samples,
            percentile_cont(0.5) within group (order by latency_ms) filter (where status = 200) as p50,
            percentile_cont(0.99) within group (order by latency_ms) filter (where status = 200) as p99
       from inference_requests where deployment_id = $1 and at > now() - make_interval(hours => $2)`,
    [deploymentId, hours],
  );
  return { hours, requests: row.requests, failed: row.failed, samples: row.samples, p50Ms: row.p50, p99Ms: row.p99 };
}
