/**
 * Users sign in to the UI with a password or a one-time link; a sign-in makes a session whose
 * random secret lives in an httpOnly cookie (the database keeps its sha256). A new session is made
 * at every sign-in, whatever cookie the browser brought, so a planted session id is never adopted.
 */
import { and, asc, count, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { roles, sessions, signInLinks, users } from "@/drizzle/schema";
import type { Database, DbOrTx } from "@/server/db";
import { notFound, PretextError } from "@/server/errors";
import { name } from "@/server/validation";
import { recordAudit } from "./audit";
import { ROLE_SCOPE, type Principal } from "./principal";
import { hashPassword, newSecret, sha256, verifyPassword } from "./secrets";

export const SESSION_DAYS = 30;
const LINK_HOURS = 24;

const password = z.string().min(12, "must be at least 12 characters").max(1000, "must be at most 1000 characters");

export const userInput = z.object({ name, role: z.enum(roles, { error: `must be one of ${roles.join(", ")}` }) });
export const userUpdate = z.object({
  name,
  role: z.enum(roles, { error: `must be one of ${roles.join(", ")}` }).optional(),
  disabled: z.boolean().optional(),
});
export const passwordInput = z.object({ password });
export const signInInput = z.object({ name, password: z.string().max(1000) });

export type UserRow = Omit<typeof users.$inferSelect, "passwordHash"> & { hasPassword: boolean };

const toUser = ({ passwordHash, ...u }: typeof users.$inferSelect): UserRow => ({ ...u, hasPassword: passwordHash !== null });

export async function listUsers({ db }: Database): Promise<UserRow[]> {
  return (await db.select().from(users).orderBy(asc(users.id))).map(toUser);
}

async function userByName({ db }: Database, userName: string) {
  const [user] = await db.select().from(users).where(eq(users.name, userName));
  if (!user) throw notFound("user", JSON.stringify(userName));
  return user;
}

/** A one-time sign-in link's secret (the path is /sign-in/<secret>), valid LINK_HOURS. */
async function newLink(db: DbOrTx, userId: number): Promise<string> {
  const secret = newSecret();
  await db.insert(signInLinks).values({ secretHash: sha256(secret), userId, expiresAt: new Date(Date.now() + LINK_HOURS * 3_600_000) });
  return secret;
}

/** Creates a user and a one-time link for their first sign-in. */
export async function createUser(database: Database, input: z.output<typeof userInput>, who: Principal | string): Promise<{ user: UserRow; link: string }> {
  return database.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.name, input.name));
    if (existing) throw new PretextError(409, `name: a user called ${JSON.stringify(input.name)} exists`);
    const [row] = await tx.insert(users).values(input).returning();
    await recordAudit(tx, who, { action: "user.create", objectType: "user", objectId: input.name, after: toUser(row) });
    return { user: toUser(row), link: await newLink(tx, row.id) };
  });
}

/** Changes a user's role or disables them (their sessions end); the last active admin stays an admin. */
export async function updateUser(database: Database, input: z.output<typeof userUpdate>, who: Principal | string): Promise<UserRow> {
  return database.db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.name, input.name));
    if (!before) throw notFound("user", JSON.stringify(input.name));
    const set: Partial<typeof users.$inferInsert> = {};
    if (input.role) set.role = input.role;
    if (input.disabled !== undefined) set.disabledAt = input.disabled ? (before.disabledAt ?? new Date()) : null;
    const [after] = await tx.update(users).set(set).where(eq(users.id, before.id)).returning();
    const [admins] = await tx.select({ n: count() }).from(users).where(and(eq(users.role, "admin"), isNull(users.disabledAt)));
    if (admins.n === 0) throw new PretextError(409, `${input.name} is the last active admin: make another admin first`);
    if (after.disabledAt) await tx.delete(sessions).where(eq(sessions.userId, before.id));
    await recordAudit(tx, who, { action: "user.update", objectType: "user", objectId: input.name, before: toUser(before), after: toUser(after) });
    return toUser(after);
  });
}

/** A new one-time sign-in link for a user (an admin's way to let someone in, or back in). */
export async function createSignInLink(database: Database, userName: string, who: Principal | string): Promise<string> {
  const user = await userByName(database, userName);
  return database.db.transaction(async (tx) => {
    await recordAudit(tx, who, { action: "user.link", objectType: "user", objectId: userName, detail: "one-time sign-in link made" });
    return newLink(tx, user.id);
  });
}

export async function setPassword(database: Database, userId: number, newPassword: string, who: Principal | string): Promise<void> {
  const passwordHash = await hashPassword(newPassword);
  await database.db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning();
    if (!row) throw notFound("user", userId);
    await recordAudit(tx, who, { action: "user.password", objectType: "user", objectId: row.name, detail: "password set" });
  });
}

async function newSession(db: DbOrTx, userId: number): Promise<string> {
  const secret = newSecret();
  await db.insert(sessions).values({ secretHash: sha256(secret), userId, expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000) });
  return secret;
}

const refused = () => new PretextError(401, "sign-in: unknown user, wrong password, or a disabled account");

/** A session secret for a correct name and password. */
export async function signInWithPassword(database: Database, input: z.output<typeof signInInput>): Promise<string> {
  const [user] = await database.db.select().from(users).where(eq(users.name, input.name));
  // the same work and answer for an unknown user as for a wrong password
  const ok = await verifyPassword(input.password, user?.passwordHash ?? "pbkdf2-sha256$600000$00$00");
  if (!user || !user.passwordHash || !ok || user.disabledAt) throw refused();
  return database.db.transaction(async (tx) => {
    await recordAudit(tx, `user:${user.name}`, { action: "session.create", objectType: "user", objectId: user.name, detail: "signed in with a password" });
    return newSession(tx, user.id);
  });
}

/** Uses a one-time link: a session secret, or 401 when the link is unknown, used or expired. */
export async function redeemSignInLink(database: Database, linkSecret: string): Promise<string> {
  return database.db.transaction(async (tx) => {
    const [link] = await tx
      .update(signInLinks)
      .set({ usedAt: new Date() })
      .where(and(eq(signInLinks.secretHash, sha256(linkSecret)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, new Date())))
      .returning();
    if (!link) throw new PretextError(401, "sign-in link: unknown, already used or expired; ask an admin for a new one (pretext user link <name>)");
    const [user] = await tx.select().from(users).where(eq(users.id, link.userId));
    if (user.disabledAt) throw refused();
    await recordAudit(tx, `user:${user.name}`, { action: "session.create", objectType: "user", objectId: user.name, detail: "signed in with a one-time link" });
    return newSession(tx, user.id);
  });
}

export async function sessionPrincipal({ db }: Database, secret: string): Promise<Principal | null> {
  const [row] = await db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.secretHash, sha256(secret)), gt(sessions.expiresAt, new Date())));
  if (!row || row.user.disabledAt) return null;
  return { actor: `user:${row.user.name}`, scope: ROLE_SCOPE[row.user.role], projectId: null, anonymous: false, userId: row.user.id };
}

export async function endSession({ db }: Database, secret: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.secretHash, sha256(secret)));
}

/** On a fresh install: an admin called "admin" and a one-time link to sign in as them. Null once anyone exists. */
export async function ensureFirstAdmin(database: Database): Promise<string | null> {
  const [{ n }] = await database.db.select({ n: count() }).from(users);
  if (n > 0) return null;
  try {
    return (await createUser(database, { name: "admin", role: "admin" }, "system")).link;
  } catch (err) {
    if (err instanceof PretextError && err.status === 409) return null; // another process made it first
    throw err;
  }
}
