/** Projects, experiments and runs: the rules for creating and changing them live here. */
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db";
import { experiments, metrics, params, projects, runs, type RunStatus } from "@/drizzle/schema";
import { notFound, PretextError } from "@/server/errors";
import { createRun as createRunSchema, type CreateRun } from "@/server/validation";

export type Run = typeof runs.$inferSelect;

export async function ensureExperiment({ db }: Database, projectName: string, experimentName: string) {
  await db.insert(projects).values({ name: projectName }).onConflictDoNothing();
  const [project] = await db.select().from(projects).where(eq(projects.name, projectName));
  await db.insert(experiments).values({ projectId: project.id, name: experimentName }).onConflictDoNothing();
  const [experiment] = await db
    .select()
    .from(experiments)
    .where(and(eq(experiments.projectId, project.id), eq(experiments.name, experimentName)));
  return { project, experiment };
}

export async function createRun(database: Database, input: CreateRun): Promise<Run> {
  const data = createRunSchema.parse(input);
  if (data.parentRunId !== undefined) await getRun(database, data.parentRunId);
  const { experiment } = await ensureExperiment(database, data.project, data.experiment);
  const now = new Date();
  const [run] = await database.db
    .insert(runs)
    .values({
      experimentId: experiment.id,
      parentRunId: data.parentRunId,
      name: data.name ?? `run-${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}`,
      status: data.status,
      config: data.config,
      tags: data.tags,
      notes: data.notes,
      startedAt: data.status === "running" ? now : null,
    })
    .returning();
  return run;
}

export async function getRun({ db }: Database, id: number): Promise<Run> {
  const [run] = await db.select().from(runs).where(eq(runs.id, id));
  if (!run) throw notFound("run", id);
  return run;
}

const FINAL: RunStatus[] = ["finished", "failed", "cancelled"];

export async function setRunStatus(database: Database, id: number, status: RunStatus, reason?: string): Promise<Run> {
  const run = await getRun(database, id);
  if (FINAL.includes(run.status) && run.status !== status && status !== "queued") {
    throw new PretextError(409, `run ${id} is already ${run.status}; it cannot become ${status}`);
  }
  const now = new Date();
  const [updated] = await database.db
    .update(runs)
    .set({
      status,
      statusReason: reason ?? null,
      startedAt: status === "running" ? (run.startedAt ?? now) : run.startedAt,
      endedAt: FINAL.includes(status) ? now : null,
    })
    .where(eq(runs.id, id))
    .returning();
  return updated;
}

/** Merges tags into the run's tags (a value of "" removes the tag). */
export async function setRunTags(database: Database, id: number, tags: Record<string, string>): Promise<Run> {
  const run = await getRun(database, id);
  const merged = { ...run.tags, ...tags };
  for (const [k, v] of Object.entries(tags)) if (v === "") delete merged[k];
  const [updated] = await database.db.update(runs).set({ tags: merged }).where(eq(runs.id, id)).returning();
  return updated;
}

/** Changes a run's descriptive fields: name, notes, and what executes it (backend, worker). */
export async function updateRun(
  database: Database,
  id: number,
  fields: { name?: string; notes?: string; backend?: string; worker?: string },
): Promise<Run> {
  await getRun(database, id);
  if (Object.keys(fields).length === 0) return getRun(database, id);
  const [updated] = await database.db.update(runs).set(fields).where(eq(runs.id, id)).returning();
  return updated;
}

export async function listExperiments({ db }: Database) {
  return db
    .select({
      id: experiments.id,
      name: experiments.name,
      project: projects.name,
      createdAt: experiments.createdAt,
      runCount: sql<number>`(select count(*)::int from ${runs} where ${runs.experimentId} = ${experiments.id})`,
      lastRunAt: sql<Date | null>`(select max(${runs.createdAt}) from ${runs} where ${runs.experimentId} = ${experiments.id})`,
    })
    .from(experiments)
    .innerJoin(projects, eq(projects.id, experiments.projectId))
    .orderBy(asc(projects.name), asc(experiments.name));
}

export async function getExperiment({ db }: Database, id: number) {
  const [row] = await db
    .select({ id: experiments.id, name: experiments.name, project: projects.name })
    .from(experiments)
    .innerJoin(projects, eq(projects.id, experiments.projectId))
    .where(eq(experiments.id, id));
  if (!row) throw notFound("experiment", id);
  return row;
}

/** One page of an experiment's runs, newest first, with each run's params and latest metric values. */
export async function listRuns(database: Database, experimentId: number, page = 0, pageSize = 50) {
  const { db } = database;
  await getExperiment(database, experimentId);
  const [{ total }] = await db.select({ total: count() }).from(runs).where(eq(runs.experimentId, experimentId));
  const rows = await db
    .select()
    .from(runs)
    .where(eq(runs.experimentId, experimentId))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(pageSize)
    .offset(page * pageSize);
  const ids = rows.map((r) => r.id);
  const [paramRows, metricRows] = ids.length
    ? await Promise.all([
        db.select().from(params).where(sql`${params.runId} in ${ids}`),
        db
          .select({ runId: metrics.runId, key: metrics.key, lastValue: metrics.lastValue })
          .from(metrics)
          .where(sql`${metrics.runId} in ${ids}`),
      ])
    : [[], []];
  return {
    total,
    page,
    pageSize,
    runs: rows.map((r) => ({
      ...r,
      params: Object.fromEntries(paramRows.filter((p) => p.runId === r.id).map((p) => [p.key, decodeParam(p)])),
      metrics: Object.fromEntries(metricRows.filter((m) => m.runId === r.id).map((m) => [m.key, m.lastValue])),
    })),
  };
}

export function decodeParam(p: { type: string; value: string }): string | number | boolean | null {
  switch (p.type) {
    case "number":
      return Number(p.value);
    case "boolean":
      return p.value === "true";
    case "null":
      return null;
    default:
      return p.value;
  }
}

export async function getRunParams({ db }: Database, runId: number) {
  const rows = await db.select().from(params).where(eq(params.runId, runId)).orderBy(asc(params.key));
  return rows.map((p) => ({ key: p.key, value: decodeParam(p) }));
}
