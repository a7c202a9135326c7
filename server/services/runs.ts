/** Projects, experiments and runs: the rules for creating and changing them live here. */
import { and, asc, count, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Db } from "@/server/db";
import { experimentKeys, experiments, metrics, params, projects, runs, type RunStatus } from "@/drizzle/schema";
import { query } from "@/server/db/sql";
import { badInput, describeZodError, notFound, PretextError } from "@/server/errors";
import { fieldName, parseFieldName, parseFilter } from "./run-filter";
import { filterToSql, sortKeys } from "./run-filter-sql";
import { topLevelAmong, trialsOf } from "./run-groups";
import { createRun as createRunSchema, MAX_ID, MAX_TAGS, type CreateRun } from "@/server/validation";

export type Run = typeof runs.$inferSelect;

export async function ensureExperiment({ db }: Pick<Database, "db">, projectName: string, experimentName: string) {
  await db.insert(projects).values({ name: projectName }).onConflictDoNothing();
  const [project] = await db.select().from(projects).where(eq(projects.name, projectName));
  await db.insert(experiments).values({ projectId: project.id, name: experimentName }).onConflictDoNothing();
  const [experiment] = await db
    .select()
    .from(experiments)
    .where(and(eq(experiments.projectId, project.id), eq(experiments.name, experimentName)));
  return { project, experiment };
}

/** Creates the run, and its project and experiment on first use, in one transaction: a run that cannot be stored leaves nothing behind. */
export async function createRun(database: Database, input: CreateRun): Promise<Run> {
  const parsed = createRunSchema.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const data = parsed.data;
  if (data.parentRunId !== undefined) await getRun(database, data.parentRunId);
  const now = new Date();
  return database.db.transaction(async (tx) => {
    const { experiment } = await ensureExperiment({ db: tx as unknown as Db }, data.project, data.experiment);
    const [run] = await tx
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
  });
}

/** Ids are PostgreSQL integers: one out of their range names nothing (and must not reach SQL). */
const validId = (id: number) => Number.isInteger(id) && id > 0 && id <= MAX_ID;

export async function getRun({ db }: Database, id: number): Promise<Run> {
  const [run] = validId(id) ? await db.select().from(runs).where(eq(runs.id, id)) : [];
  if (!run) throw notFound("run", id);
  return run;
}

const FINAL: RunStatus[] = ["finished", "failed", "cancelled"];

/**
 * A run that ended as finished or cancelled is never reopened; a failed one goes back to queued only
 * (a worker retrying the job: server/jobs, workers/worker/worker.ts). Setting the same status again is allowed.
 */
export async function setRunStatus(database: Database, id: number, status: RunStatus, reason?: string): Promise<Run> {
  const run = await getRun(database, id);
  const retry = run.status === "failed" && status === "queued";
  if (FINAL.includes(run.status) && run.status !== status && !retry) {
    const why = run.status === "failed" ? "a failed run can only be queued again (a retry)" : `a ${run.status} run is never reopened`;
    throw new PretextError(409, `status: run ${id} is already ${run.status}; it cannot become ${status} (${why})`);
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

/** Merges tags into the run's tags (a value of "" removes the tag); a run has at most MAX_TAGS. */
export async function setRunTags(database: Database, id: number, tags: Record<string, string>): Promise<Run> {
  if (!validId(id)) throw notFound("run", id);
  // the row is locked from read to write: two merges at once both land
  return database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, id)).for("update");
    if (!run) throw notFound("run", id);
    const merged = { ...run.tags, ...tags };
    for (const [k, v] of Object.entries(tags)) if (v === "") delete merged[k];
    const count = Object.keys(merged).length;
    if (count > MAX_TAGS && count > Object.keys(run.tags).length) {
      throw new PretextError(413, `tags: a run has at most ${MAX_TAGS} tags; these would make ${count}`);
    }
    const [updated] = await tx.update(runs).set({ tags: merged }).where(eq(runs.id, id)).returning();
    return updated;
  });
}

/** Changes a run's descriptive fields: name, notes, and what executes it (backend, worker). */
export async function updateRun(
  database: Database,
  id: number,
  fields: { name?: string; notes?: string; backend?: string; device?: string; worker?: string },
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
  const [row] = !validId(id) ? [] : await db
    .select({ id: experiments.id, name: experiments.name, project: projects.name })
    .from(experiments)
    .innerJoin(projects, eq(projects.id, experiments.projectId))
    .where(eq(experiments.id, id));
  if (!row) throw notFound("experiment", id);
  return row;
}

export interface RunsQuery {
  /** a search expression (run-filter.ts); blank for all runs */
  filter?: string;
  /** a field as written in expressions: created, name, params.lr, metrics.knn_acc, max(metrics.acc), tags.team */
  sort?: string;
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
  /** page over top-level runs and return the trials of the page's runs under `trials` (the runs table) */
  group?: boolean;
}

/** At most this many distinct keys of each kind are offered as columns. */
const MAX_KEYS = 500;

/**
 * One page of an experiment's runs, filtered and sorted in the database, with each run's params and
 * latest metric values, and the param/metric/tag keys the experiment's runs have (for the column chooser).
 */
export async function listRuns(database: Database, experimentId: number, options: RunsQuery = {}) {
  const { db } = database;
  const { filter = "", sort = "created", dir = "desc", page = 0, pageSize = 50, group = false } = options;
  const node = parseFilter(filter, "filter");
  const sortField = parseFieldName(sort, "sort");
  await getExperiment(database, experimentId);
  const matching = node ? and(eq(runs.experimentId, experimentId), filterToSql(node))! : eq(runs.experimentId, experimentId);
  const where = group ? and(matching, topLevelAmong(matching)) : matching;
  const order = (e: SQL) => (dir === "asc" ? sql`${e} asc nulls last` : sql`${e} desc nulls last`);
  const orderKeys = [...sortKeys(sortField).map(order), dir === "asc" ? sql`${runs.id} asc` : sql`${runs.id} desc`];
  const [pageRows, keys] = await Promise.all([
    // the filter runs once: the window count comes with the page (the sort has seen every match anyway)
    db
      .select({ run: runs, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(runs)
      .where(where)
      .orderBy(...orderKeys)
      .limit(pageSize)
      .offset(page * pageSize),
    experimentKeysOf(database, experimentId),
  ]);
  const rows = pageRows.map((r) => r.run);
  // a page past the end has no row to carry the count
  const total = pageRows.length ? pageRows[0].total : page === 0 ? 0 : (await db.select({ n: count() }).from(runs).where(where))[0].n;
  const trialRows = group ? await trialsOf(database, rows.map((r) => r.id), matching, orderKeys) : [];
  const ids = [...rows, ...trialRows.map((t) => t.run)].map((r) => r.id);
  const [paramRows, metricRows] = ids.length
    ? await Promise.all([
        db.select().from(params).where(inArray(params.runId, ids)),
        db
          .select({ runId: metrics.runId, key: metrics.key, lastValue: metrics.lastValue })
          .from(metrics)
          .where(inArray(metrics.runId, ids)),
      ])
    : [[], []];
  const paramsOf = groupBy(paramRows, (p) => p.runId);
  const metricsOf = groupBy(metricRows, (m) => m.runId);
  const withValues = (r: Run) => ({
    ...r,
    params: Object.fromEntries((paramsOf.get(r.id) ?? []).map((p) => [p.key, decodeParam(p)])),
    metrics: Object.fromEntries((metricsOf.get(r.id) ?? []).map((m) => [m.key, m.lastValue])),
  });
  return {
    total,
    page,
    pageSize,
    sort: fieldName(sortField),
    dir,
    keys,
    runs: rows.map(withValues),
    /** with `group`: the matching trials of the page's runs, per parent (at most MAX_TRIALS_SHOWN each) */
    trials: [...groupBy(trialRows, (t) => t.run.parentRunId!)].map(([parentRunId, list]) => ({
      parentRunId,
      total: list[0].total,
      runs: list.map((t) => withValues(t.run)),
    })),
  };
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The param, metric and tag keys of an experiment's runs, sorted. */
async function experimentKeysOf(database: Database, experimentId: number) {
  const [logged, tagKeys] = await Promise.all([
    database.db
      .select({ kind: experimentKeys.kind, key: experimentKeys.key })
      .from(experimentKeys)
      .where(eq(experimentKeys.experimentId, experimentId))
      .orderBy(asc(experimentKeys.kind), asc(experimentKeys.key)),
    // tags live on the run row itself, so reading them is one index range scan
    query<{ key: string }>(database, "select distinct jsonb_object_keys(tags) as key from runs where experiment_id = $1 order by 1 limit $2", [
      experimentId,
      MAX_KEYS,
    ]),
  ]);
  const of = (kind: string) => logged.filter((k) => k.kind === kind).slice(0, MAX_KEYS).map((k) => k.key);
  return { params: of("param"), metrics: of("metric"), tags: tagKeys.map((r) => r.key) };
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
