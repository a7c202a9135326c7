/** Drift monitors of deployments: their config (one zod schema for API, UI and CLI), storage and results. */
import { and, asc, desc, eq, gt } from "drizzle-orm";
import cronParser from "cron-parser";
import { z } from "zod";
import { deployments, driftMonitors, driftResults, driftTestNames, monitorTargets } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { isUniqueViolation, notFound, PretextError } from "@/server/errors";
import { idOf, name } from "@/server/validation";
import { getDeploymentByName } from "@/server/serving/deployments";

export type MonitorRow = typeof driftMonitors.$inferSelect;
export type DriftResultRow = typeof driftResults.$inferSelect;

export const monitorId = idOf("a monitor", true);

const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z" });

/** A dataset folder or file under $PRETEXT_DATA_DIR, or "fashion-mnist": never a path that leaves it. */
export const dataArgument = z
  .string()
  .min(1, "must not be empty")
  .max(500, "must be at most 500 characters")
  .refine((s) => !s.startsWith("/") && !s.split(/[\\/]/).includes(".."), "must be a path inside the data directory (no leading / and no ..)");

export const referenceInput = z.discriminatedUnion(
  "kind",
  [
    z
      .object({ kind: z.literal("traffic"), from: instant, to: instant })
      .strict()
      .refine((r) => Date.parse(r.from) < Date.parse(r.to), { path: ["to"], message: "must be after from" }),
    z
      .object({
        kind: z.literal("dataset"),
        data: dataArgument,
        split: z.enum(["train", "test"]).default("test"),
        size: z.number().int("must be an integer").min(10, "must be >= 10").max(20_000, "must be <= 20000").default(1000),
      })
      .strict(),
  ],
  { error: 'must be {"kind": "traffic", "from", "to"} or {"kind": "dataset", "data", "split", "size"}' },
);

export const windowInput = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("count"), size: z.number().int("must be an integer").min(10, "must be >= 10").max(20_000, "must be <= 20000") }).strict(),
    z.object({ kind: z.literal("time"), minutes: z.number().int("must be an integer").min(1, "must be >= 1").max(10_080, "must be <= 10080 (a week)") }).strict(),
  ],
  { error: 'must be {"kind": "count", "size"} or {"kind": "time", "minutes"}' },
);

export const cronExpression = z
  .string()
  .max(100, "must be at most 100 characters")
  .refine((s) => {
    if (s.trim().split(/\s+/).length !== 5) return false;
    try {
      cronParser.parseExpression(s, { tz: "UTC" });
      return true;
    } catch {
      return false;
    }
  }, 'must be a cron expression of five fields, e.g. "*/5 * * * *"');

export const monitorInput = z
  .object({
    deployment: name,
    name,
    target: z.enum(monitorTargets, { error: `must be one of ${monitorTargets.join(", ")}` }),
    tests: z
      .array(z.enum(driftTestNames, { error: `must be one of ${driftTestNames.join(", ")}` }))
      .min(1, "must name at least one test")
      .max(driftTestNames.length)
      .refine((t) => new Set(t).size === t.length, "must not repeat a test")
      .default(["mmd", "ks"]),
    reference: referenceInput,
    window: windowInput,
    minSamples: z.number().int("must be an integer").min(10, "must be >= 10").max(20_000, "must be <= 20000").default(100),
    schedule: cronExpression.nullable().default("*/5 * * * *"),
  })
  .strict()
  .refine((m) => m.window.kind !== "count" || m.minSamples <= m.window.size, { path: ["minSamples"], message: "must be at most the window size" });
export type MonitorInput = z.output<typeof monitorInput>;

export async function createMonitor(database: Database, input: MonitorInput, actor: string): Promise<MonitorRow> {
  const deployment = await getDeploymentByName(database, input.deployment);
  const { deployment: _, ...config } = input;
  try {
    return await database.db.transaction(async (db) => {
      const [row] = await db
        .insert(driftMonitors)
        .values({ ...config, deploymentId: deployment.id, createdBy: actor })
        .returning();
      await recordAudit(db, actor, { action: "monitor.create", objectType: "monitor", objectId: row.id, after: row });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `name: deployment ${deployment.name} already has a monitor "${input.name}"`);
    throw err;
  }
}

export async function deleteMonitor(database: Database, id: number, actor: string): Promise<void> {
  await database.db.transaction(async (db) => {
    const [row] = await db.delete(driftMonitors).where(eq(driftMonitors.id, id)).returning();
    if (!row) throw notFound("monitor", id);
    await recordAudit(db, actor, { action: "monitor.delete", objectType: "monitor", objectId: id, before: row });
  });
}

export interface MonitorView extends MonitorRow {
  deployment: string;
  latest: DriftResultRow | null;
}

export async function getMonitor(database: Database, id: number): Promise<MonitorView> {
  const [row] = await database.db
    .select({ monitor: driftMonitors, deployment: deployments.name })
    .from(driftMonitors)
    .innerJoin(deployments, eq(deployments.id, driftMonitors.deploymentId))
    .where(eq(driftMonitors.id, id));
  if (!row) throw notFound("monitor", id);
  const [latest] = await database.db.select().from(driftResults).where(eq(driftResults.monitorId, id)).orderBy(desc(driftResults.windowIndex)).limit(1);
  return { ...row.monitor, deployment: row.deployment, latest: latest ?? null };
}

export async function listMonitors(database: Database, deploymentName: string): Promise<MonitorView[]> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const rows = await database.db.select({ id: driftMonitors.id }).from(driftMonitors).where(eq(driftMonitors.deploymentId, deployment.id)).orderBy(asc(driftMonitors.name));
  return Promise.all(rows.map((r) => getMonitor(database, r.id)));
}

/** A monitor's checked windows in order: the newest `limit` (1,000), or those after `afterWindow`. */
export async function listResults(database: Database, id: number, opts: { afterWindow?: number; limit?: number } = {}): Promise<DriftResultRow[]> {
  const limit = Math.min(opts.limit ?? 1000, 10_000);
  if (opts.afterWindow !== undefined) {
    return database.db
      .select()
      .from(driftResults)
      .where(and(eq(driftResults.monitorId, id), gt(driftResults.windowIndex, opts.afterWindow)))
      .orderBy(asc(driftResults.windowIndex))
      .limit(limit);
  }
  const newest = await database.db.select().from(driftResults).where(eq(driftResults.monitorId, id)).orderBy(desc(driftResults.windowIndex)).limit(limit);
  return newest.reverse();
}
