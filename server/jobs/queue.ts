/**
 * The job queue: pg-boss on the same database as everything else (PostgreSQL, or PGlite through
 * pg-boss's `db` adapter). Any number of worker processes share it; nothing here polls by hand.
 */
import PgBoss from "pg-boss";
import { connectionStringOf, type Database } from "@/server/db";

export const JOB_KINDS = ["pretrain", "evaluate", "audit", "sweep-trial", "scheduled"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Two queues: "runs" holds every job that executes a run (pretrain, evaluate, audit, sweep trial), so a
 * worker's concurrency bounds all of them together; "scheduled" holds generic scheduled tasks.
 */
export const QUEUES = ["runs", "scheduled"] as const;
export type QueueName = (typeof QUEUES)[number];
export const queueOf = (kind: JobKind): QueueName => (kind === "scheduled" ? "scheduled" : "runs");

/** The payload of a job that executes a run. */
export interface RunJobData {
  kind: Exclude<JobKind, "scheduled">;
  runId: number;
}

/** The payload of a scheduled task: a task name the worker knows, and its arguments. */
export interface ScheduledJobData {
  task: string;
  args?: Record<string, unknown>;
}

/** How often a job may be tried again after its attempt failed or its worker died. */
export const RETRY_LIMIT = 3;

/** A training job may run for hours; death is detected by worker heartbeats, not by expiry. */
const EXPIRE_SECONDS = 23 * 3600; // pg-boss allows at most 24 h

export async function createQueue(database: Database): Promise<PgBoss> {
  const options: PgBoss.ConstructorOptions = {
    // Maintenance and scheduling run in every process; pg-boss coordinates them itself.
    schedule: true,
    supervise: true,
    expireInSeconds: EXPIRE_SECONDS,
    retryLimit: RETRY_LIMIT,
  };
  const boss =
    database.kind === "postgres"
      ? new PgBoss({ ...options, connectionString: connectionStringOf(database), max: 4 })
      : new PgBoss({ ...options, db: pgliteAdapter(database) });
  boss.on("error", (err) => console.error(`queue: ${err.message}`));
  await boss.start();
  for (const name of QUEUES) {
    if (!(await boss.getQueue(name))) {
      await boss.createQueue(name, { name, retryLimit: RETRY_LIMIT, expireInSeconds: EXPIRE_SECONDS }).catch(async (err) => {
        if (!(await boss.getQueue(name))) throw err; // another process created it first
      });
    }
  }
  return boss;
}

/** pg-boss sends parameterized statements and, for its schema, multi-statement scripts without values. */
function pgliteAdapter(database: Extract<Database, { kind: "pglite" }>): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0) return { rows: (await database.client.query(text, values)).rows };
      const results = await database.client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}

// One queue client per process, beside the one database client.
const g = globalThis as unknown as { __pretextQueue?: Promise<PgBoss> };

export function getQueue(database: Database): Promise<PgBoss> {
  g.__pretextQueue ??= createQueue(database).catch((err) => {
    g.__pretextQueue = undefined;
    throw err;
  });
  return g.__pretextQueue;
}
