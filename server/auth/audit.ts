/** The audit log: append-only (a trigger refuses updates and deletes), read by object and by actor. */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import { auditEvents } from "@/drizzle/schema";
import type { Database, DbOrTx } from "@/server/db";
import { idOf } from "@/server/validation";
import type { Principal } from "./principal";

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId: string | number;
  before?: unknown;
  after?: unknown;
  detail?: string;
}

type Actor = Pick<Principal, "actor"> | string;
const actorName = (who: Actor) => (typeof who === "string" ? who : who.actor);

/** Records one change; `db` may be a transaction, so the entry lands with the change or not at all. */
export async function recordAudit(db: DbOrTx, who: Actor, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    actor: actorName(who),
    action: entry.action,
    objectType: entry.objectType,
    objectId: String(entry.objectId),
    before: entry.before ?? null,
    after: entry.after ?? null,
    detail: entry.detail ?? "",
  });
}

/** Filters of the audit log (numbers may come as query-string text). */
export const auditFilter = z.object({
  objectType: z.string().max(100).optional(),
  objectId: z.string().max(500).optional(),
  actor: z.string().max(300).optional(),
  action: z.string().max(100).optional(),
  /** entries older than this id (the next page) */
  before: idOf("an audit event", true).optional(),
  limit: z.coerce.number({ error: "must be a number" }).int("must be an integer").min(1, "must be >= 1").max(1000, "must be <= 1000").default(100),
});
export type AuditFilter = Partial<z.output<typeof auditFilter>>;

/** Newest first. */
export async function listAudit({ db }: Database, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  const where: SQL[] = [];
  if (filter.objectType) where.push(eq(auditEvents.objectType, filter.objectType));
  if (filter.objectId) where.push(eq(auditEvents.objectId, filter.objectId));
  if (filter.actor) where.push(eq(auditEvents.actor, filter.actor));
  if (filter.action) where.push(eq(auditEvents.action, filter.action));
  if (filter.before) where.push(lt(auditEvents.id, filter.before));
  return db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit ?? 100);
}
