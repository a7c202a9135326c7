/**
 * Sweep trials grouped under their parent run in the runs table. The table pages over top-level
 * runs only; the trials of the runs on a page come in one more query, at most MAX_TRIALS_SHOWN
 * per parent, so a page stays one page however many trials a sweep has.
 */
import { and, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db";
import { runs } from "@/drizzle/schema";

/** Trials listed under one parent; the parent's run page lists every one. */
export const MAX_TRIALS_SHOWN = 100;

/**
 * Runs that head a group among `matching` (a condition on `runs` that includes the experiment):
 * those without a parent among the matching runs. A trial whose parent is filtered out, or lives
 * in another experiment (an evaluation of a pretraining run), is shown at the top level.
 */
export function topLevelAmong(matching: SQL): SQL {
  // inside the subquery "runs" names the subquery's own rows, so `matching` applies to the parent
  return sql`(${runs.parentRunId} is null or ${runs.parentRunId} not in (select ${runs.id} from ${runs} where ${matching}))`;
}

/**
 * The matching trials of the given parents, in the table's order, at most MAX_TRIALS_SHOWN per
 * parent, each with how many match in all (`total`).
 */
export async function trialsOf({ db }: Database, parentIds: number[], matching: SQL, order: SQL[]) {
  if (parentIds.length === 0) return [];
  const ranked = db
    .select({
      id: runs.id,
      rank: sql<number>`(row_number() over (partition by ${runs.parentRunId} order by ${sql.join(order, sql`, `)}))::int`.as("rank"),
      total: sql<number>`(count(*) over (partition by ${runs.parentRunId}))::int`.as("total"),
    })
    .from(runs)
    .where(and(matching, inArray(runs.parentRunId, parentIds)))
    .as("ranked");
  return db
    .select({ run: runs, total: ranked.total })
    .from(ranked)
    .innerJoin(runs, eq(runs.id, ranked.id))
    .where(lte(ranked.rank, MAX_TRIALS_SHOWN))
    .orderBy(ranked.rank);
}
