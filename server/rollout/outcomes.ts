/**
 * Outcome metrics and events: a metric is defined once (mean or proportion, which way is better,
 * guardrail or not); the product logs events (metric, user, value, time) in batches; an experiment's
 * results join each user's first exposure with their events after it.
 */
import { asc, inArray } from "drizzle-orm";
import { z } from "zod";
import { outcomeEvents, outcomeMetrics } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { isUniqueViolation, PretextError } from "@/server/errors";
import { metricKey } from "@/server/validation";

export type OutcomeMetricRow = typeof outcomeMetrics.$inferSelect;

export const MAX_EVENTS = 10_000;

export const outcomeMetricInput = z
  .object({
    key: metricKey,
    kind: z.enum(["mean", "proportion"], { error: 'must be "mean" or "proportion"' }),
    goal: z.enum(["increase", "decrease"], { error: 'must be "increase" or "decrease"' }).default("increase"),
    guardrail: z.boolean({ error: "must be true or false" }).default(false),
    description: z.string().max(2000, "must be at most 2000 characters").default(""),
  })
  .strict();
export type OutcomeMetricInput = z.output<typeof outcomeMetricInput>;

export async function createOutcomeMetric(database: Database, input: OutcomeMetricInput, actor: string): Promise<OutcomeMetricRow> {
  try {
    return await database.db.transaction(async (db) => {
      const [row] = await db
        .insert(outcomeMetrics)
        .values({ ...input, createdBy: actor })
        .returning();
      await recordAudit(db, actor, { action: "metric.create", objectType: "metric", objectId: row.key, after: row });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `key: a metric "${input.key}" exists already`);
    throw err;
  }
}

export const listOutcomeMetrics = (database: Database) => database.db.select().from(outcomeMetrics).orderBy(asc(outcomeMetrics.key));

export const eventsInput = z
  .object({
    events: z
      .array(
        z
          .object({
            metric: metricKey,
            user: z.string().min(1, "must not be empty").max(500, "must be at most 500 characters"),
            value: z.number({ error: "must be a finite number" }).refine(Number.isFinite, "must be a finite number"),
            /** ms since the epoch; the server's clock when omitted */
            at: z.number().int("must be an integer (ms since the epoch)").min(0, "must be >= 0").max(8.64e15, "must be a time").optional(),
          })
          .strict(),
      )
      .min(1, "must hold at least one event")
      .max(MAX_EVENTS, `must hold at most ${MAX_EVENTS} events`),
  })
  .strict();

/** Stores a batch of events, all or nothing; every metric must be defined. */
export async function logEvents(database: Database, input: z.output<typeof eventsInput>): Promise<{ events: number }> {
  const keys = [...new Set(input.events.map((e) => e.metric))];
  const known = await database.db.select({ id: outcomeMetrics.id, key: outcomeMetrics.key }).from(outcomeMetrics).where(inArray(outcomeMetrics.key, keys));
  const ids = new Map(known.map((m) => [m.key, m.id]));
  const unknown = input.events.findIndex((e) => !ids.has(e.metric));
  if (unknown >= 0) throw new PretextError(400, `events.${unknown}.metric: no metric "${input.events[unknown].metric}" (define it first: POST /api/v1/metrics)`);
  const now = Date.now();
  const rows = input.events.map((e) => ({ metricId: ids.get(e.metric)!, userId: e.user, value: e.value, at: new Date(e.at ?? now) }));
  await database.db.transaction(async (db) => {
    for (let i = 0; i < rows.length; i += 2500) await db.insert(outcomeEvents).values(rows.slice(i, i + 2500));
  });
  return { events: rows.length };
}
