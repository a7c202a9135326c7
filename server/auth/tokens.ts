/** API tokens: `ptx_` + 32 random bytes, shown once at creation; the database keeps a sha256 and the first 8 characters. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, projects, scopes } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { notFound, PretextError } from "@/server/errors";
import { name } from "@/server/validation";
import { recordAudit } from "./audit";
import { highestScope, type Principal } from "./principal";
import { newSecret, sha256 } from "./secrets";

export const TOKEN_PREFIX = "ptx_";

export const tokenInput = z.object({
  name,
  scopes: z.array(z.enum(scopes, { error: `must be one of ${scopes.join(", ")}` })).min(1, "give at least one scope"),
  /** restrict the token to one project (by name) */
  project: name.optional(),
  /** days until it expires; never when omitted */
  expiresInDays: z.number().positive("must be > 0").max(3650, "must be at most 3650 (10 years)").optional(),
});
export type TokenInput = z.output<typeof tokenInput>;

export type TokenRow = Omit<typeof apiTokens.$inferSelect, "secretHash">;
const listed = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  projectId: apiTokens.projectId,
  createdBy: apiTokens.createdBy,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Creates a token; the secret is in the answer and nowhere else. */
export async function createToken(database: Database, input: TokenInput, who: Principal | string): Promise<{ token: string; info: TokenRow }> {
  const { db } = database;
  let projectId: number | null = null;
  if (input.project !== undefined) {
    const [project] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, input.project));
    if (!project) throw notFound("project", JSON.stringify(input.project));
    projectId = project.id;
  }
  const token = newSecret(TOKEN_PREFIX);
  const expiresAt = input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 86_400_000);
  const actor = typeof who === "string" ? who : who.actor;
  const info = await db.transaction(async (tx) => {
    const [{ secretHash: _, ...row }] = await tx
      .insert(apiTokens)
      .values({ name: input.name, secretHash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), scopes: [...new Set(input.scopes)], projectId, createdBy: actor, expiresAt })
      .returning();
    await recordAudit(tx, actor, { action: "token.create", objectType: "token", objectId: row.id, after: { ...row, project: input.project ?? null } });
    return row;
  });
  return { token, info };
}

export async function listTokens({ db }: Database): Promise<TokenRow[]> {
  return db.select(listed).from(apiTokens).orderBy(desc(apiTokens.id));
}

/** Revokes a token by id or name (the newest live one of that name). */
export async function revokeToken(database: Database, which: number | string, who: Principal | string): Promise<TokenRow> {
  const { db } = database;
  const match = typeof which === "number" ? eq(apiTokens.id, which) : and(eq(apiTokens.name, which), isNull(apiTokens.revokedAt));
  return db.transaction(async (tx) => {
    const [before] = await tx.select(listed).from(apiTokens).where(match).orderBy(desc(apiTokens.id)).limit(1);
    if (!before) throw notFound("token", JSON.stringify(which));
    if (before.revokedAt) throw new PretextError(409, `token ${before.name} (${before.prefix}…) was already revoked at ${before.revokedAt.toISOString()}`);
    const [{ secretHash: _, ...after }] = await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, before.id)).returning();
    await recordAudit(tx, who, { action: "token.revoke", objectType: "token", objectId: before.id, before, after });
    return after;
  });
}

/** How often a token's last use is written: at most once a minute, so a busy token costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal a bearer token stands for, or null when it is unknown, revoked or expired. */
export async function tokenPrincipal({ db }: Database, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.secretHash, sha256(token)));
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiTokens).set({ lastUsedAt: new Date(now) }).where(eq(apiTokens.id, row.id));
  }
  return { actor: `token:${row.name}`, scope: highestScope(row.scopes), projectId: row.projectId, anonymous: false, tokenId: row.id };
}
