import { asc, eq } from "drizzle-orm";
import { jobAttempts } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { getRun } from "./runs";

/** The executions of a run's job, oldest first: which worker, how it ended, where it resumed; 404 for a run that does not exist. */
export async function listAttempts(database: Database, runId: number) {
  const rows = await database.db.select().from(jobAttempts).where(eq(jobAttempts.runId, runId)).orderBy(asc(jobAttempts.id));
  if (rows.length === 0) await getRun(database, runId); // no attempts yet, or no such run
  return rows;
}
