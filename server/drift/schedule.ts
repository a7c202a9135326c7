/**
 * When drift checks run. pg-boss keeps one cron schedule per queue, so a single schedule fires the
 * "tick" task every minute; the tick queues a "drift-check" job for each monitor whose own cron
 * falls in that minute, and sends the alert emails that are due. "Check now" queues the same job.
 */
import cronParser from "cron-parser";
import { isNotNull } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { driftMonitors } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import type { ScheduledJobData } from "@/server/jobs/queue";

export const TICK_CRON = "* * * * *";

export async function scheduleTick(queue: PgBoss): Promise<void> {
  await queue.schedule("scheduled", TICK_CRON, { task: "tick" } satisfies ScheduledJobData);
}

/** Queues a check of the monitor (at most one waiting per monitor); returns the job id, or null when one waits already. */
export async function queueCheck(queue: PgBoss, monitorId: number): Promise<string | null> {
  const job: ScheduledJobData = { task: "drift-check", args: { monitorId } };
  return queue.send("scheduled", job, { singletonKey: `drift-check:${monitorId}`, retryLimit: 2, retryDelay: 30 });
}

/** Monitors whose cron fires within the minute that ends at `at`. */
export async function dueMonitors(database: Database, at: Date): Promise<number[]> {
  const rows = await database.db.select({ id: driftMonitors.id, schedule: driftMonitors.schedule }).from(driftMonitors).where(isNotNull(driftMonitors.schedule));
  const minuteStart = new Date(Math.floor(at.getTime() / 60_000) * 60_000 - 1);
  return rows.filter((r) => cronParser.parseExpression(r.schedule!, { currentDate: minuteStart, tz: "UTC" }).next().getTime() <= at.getTime()).map((r) => r.id);
}
