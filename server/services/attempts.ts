import { asc, eq } from "drizzle-orm";
import { jobAttempts } from "@/drizzle/schema";
import type { Database } from "@/server/db";

/** The executions of a run's job, oldest first: which worker, how it ended, where it resumed. */
export async function listAttempts({ db }: Database, runId: number) {
  return db.select().from(jobAttempts).where(eq(jobAttempts.runId, runId)).orderBy(asc(jobAttempts.id));
}
