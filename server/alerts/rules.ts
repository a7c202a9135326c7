/** Alert rules on a monitor's figures: config, storage, and their evaluation on each stored window. */
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { alertEmails, alertEvents, alertRules, driftMonitors, encoders } from "@/drizzle/schema";
import type { Database, DbOrTx } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { breaches, FIGURES, FIGURE_NAMES } from "@/server/drift/figures";
import type { DriftResultRow, MonitorView } from "@/server/drift/monitors";
import { isUniqueViolation, notFound, PretextError } from "@/server/errors";
import { idOf, name } from "@/server/validation";
import { alertEmail, defaultSender } from "./email";
import { nextRuleState } from "./state";

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertEventRow = typeof alertEvents.$inferSelect;
export type AlertEmailRow = typeof alertEmails.$inferSelect;

export const ruleId = idOf("an alert rule", true);

const email = z.email({ error: "must be an email address" });

const ruleFields = {
  name,
  figure: z.enum(FIGURE_NAMES as [string, ...string[]], { error: `must be one of ${FIGURE_NAMES.join(", ")}` }),
  direction: z.enum(["above", "below"], { error: 'must be "above" or "below"' }),
  threshold: z.number({ error: "must be a finite number" }).refine(Number.isFinite, "must be a finite number"),
  consecutive: z.number().int("must be an integer").min(1, "must be >= 1").max(100, "must be <= 100"),
  cooldownMinutes: z.number().int("must be an integer").min(0, "must be >= 0").max(43_200, "must be <= 43200 (30 days)"),
  recipients: z.array(email).min(1, "must name at least one address").max(50, "must name at most 50 addresses"),
  sender: email.nullable(),
  enabled: z.boolean({ error: "must be true or false" }),
};

export const ruleInput = z
  .object({
    monitorId: idOf("a monitor"),
    ...ruleFields,
    consecutive: ruleFields.consecutive.default(2),
    cooldownMinutes: ruleFields.cooldownMinutes.default(60),
    sender: ruleFields.sender.default(null),
    enabled: ruleFields.enabled.default(true),
  })
  .strict();
export type RuleInput = z.output<typeof ruleInput>;

export const ruleUpdate = z.object(ruleFields).partial().strict();
export type RuleUpdate = z.output<typeof ruleUpdate>;

/** The figures a monitor's windows carry: its tests' figures, and the input summaries for an input monitor. */
export function figuresOf(monitor: Pick<MonitorView, "tests" | "target">): string[] {
  return FIGURE_NAMES.filter((f) => (FIGURES[f].test === "input" ? monitor.target === "input" : monitor.tests.includes(FIGURES[f].test as never)));
}

async function monitorOf(db: DbOrTx, monitorId: number) {
  const [monitor] = await db.select().from(driftMonitors).where(eq(driftMonitors.id, monitorId));
  if (!monitor) throw notFound("monitor", monitorId);
  return monitor;
}

function checkFigure(monitor: Pick<MonitorView, "tests" | "target" | "name">, figure: string): void {
  const known = figuresOf(monitor);
  if (!known.includes(figure)) throw new PretextError(400, `figure: monitor ${monitor.name} does not compute ${figure}; it computes ${known.join(", ")}`);
}

export async function createRule(database: Database, input: RuleInput, actor: string): Promise<AlertRuleRow> {
  try {
    return await database.db.transaction(async (db) => {
      checkFigure(await monitorOf(db, input.monitorId), input.figure);
      const [row] = await db
        .insert(alertRules)
        .values({ ...input, createdBy: actor })
        .returning();
      await recordAudit(db, actor, { action: "alert_rule.create", objectType: "alert_rule", objectId: row.id, after: row });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `name: monitor ${input.monitorId} already has a rule "${input.name}"`);
    throw err;
  }
}

export async function updateRule(database: Database, id: number, update: RuleUpdate, actor: string): Promise<AlertRuleRow> {
  try {
    return await database.db.transaction(async (db) => {
      const [before] = await db.select().from(alertRules).where(eq(alertRules.id, id)).for("update");
      if (!before) throw notFound("alert rule", id);
      if (update.figure) checkFigure(await monitorOf(db, before.monitorId), update.figure);
      const [after] = await db.update(alertRules).set(update).where(eq(alertRules.id, id)).returning();
      await recordAudit(db, actor, { action: "alert_rule.update", objectType: "alert_rule", objectId: id, before, after });
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `name: the monitor already has a rule "${update.name}"`);
    throw err;
  }
}

export async function deleteRule(database: Database, id: number, actor: string): Promise<void> {
  await database.db.transaction(async (db) => {
    const [before] = await db.delete(alertRules).where(eq(alertRules.id, id)).returning();
    if (!before) throw notFound("alert rule", id);
    await recordAudit(db, actor, { action: "alert_rule.delete", objectType: "alert_rule", objectId: id, before });
  });
}

export interface AlertHistory {
  rules: AlertRuleRow[];
  events: (AlertEventRow & { rule: string; email: Pick<AlertEmailRow, "status" | "attempts" | "sentAt" | "lastError"> | null })[];
}

/** A monitor's rules and their last transitions, each with its email's delivery. */
export async function alertHistory(database: Database, monitorId: number, limit = 200): Promise<AlertHistory> {
  const rules = await database.db.select().from(alertRules).where(eq(alertRules.monitorId, monitorId)).orderBy(asc(alertRules.name));
  if (!rules.length) return { rules, events: [] };
  const rows = await database.db
    .select({ event: alertEvents, rule: alertRules.name, email: { status: alertEmails.status, attempts: alertEmails.attempts, sentAt: alertEmails.sentAt, lastError: alertEmails.lastError } })
    .from(alertEvents)
    .innerJoin(alertRules, eq(alertRules.id, alertEvents.ruleId))
    .leftJoin(alertEmails, eq(alertEmails.eventId, alertEvents.id))
    .where(inArray(alertEvents.ruleId, rules.map((r) => r.id)))
    .orderBy(desc(alertEvents.id))
    .limit(limit);
  return { rules, events: rows.map((r) => ({ ...r.event, rule: r.rule, email: r.email?.status ? r.email : null })) };
}

/**
 * Moves each enabled rule of the monitor by one stored window, inside the transaction that stored
 * it: the transition and its email (an outbox row the mailer sends) land with the window or not at all.
 */
export async function evaluateRules(tx: DbOrTx, monitor: MonitorView, result: DriftResultRow): Promise<void> {
  const rules = await tx
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.monitorId, monitor.id), eq(alertRules.enabled, true)))
    .orderBy(asc(alertRules.id))
    .for("update");
  for (const rule of rules) {
    if (rule.lastWindowIndex >= result.windowIndex) continue;
    const value = result.figures[rule.figure];
    const breach = result.status === "too_few_samples" || value === undefined || !Number.isFinite(value) ? null : breaches(value, rule);
    const { next, transition } = nextRuleState(rule, breach, { start: result.windowStart, end: result.windowEnd });
    await tx
      .update(alertRules)
      .set({ ...next, lastWindowIndex: result.windowIndex })
      .where(eq(alertRules.id, rule.id));
    if (!transition) continue;
    const [event] = await tx
      .insert(alertEvents)
      .values({ ruleId: rule.id, fromState: transition.from, toState: transition.to, windowIndex: result.windowIndex, value: value ?? null, deduplicated: transition.deduplicated })
      .returning();
    if (transition.to !== "firing" || transition.deduplicated) continue;
    const [version] = result.encoderId ? await tx.select({ name: encoders.name, version: encoders.version }).from(encoders).where(eq(encoders.id, result.encoderId)) : [];
    const message = alertEmail({ rule, monitor, result, since: next.episodeStart ?? result.windowStart, encoder: version ?? null });
    await tx.insert(alertEmails).values({ eventId: event.id, sender: rule.sender ?? defaultSender(), recipients: rule.recipients, ...message });
  }
}
