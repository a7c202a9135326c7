import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { createRun } from "@/server/services/runs";
import { listAudit } from "./audit";
import { authorize, CSRF_HEADER, csrfToken, SESSION_COOKIE } from "./authenticate";
import { requireRunProject } from "./project-access";
import { takeRateToken } from "./rate-limit";
import { createToken, revokeToken } from "./tokens";
import { createUser, ensureFirstAdmin, redeemSignInLink, setPassword, signInWithPassword, updateUser } from "./users";

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
const access = (needed: "read" | "write" | "admin") => ({ write: needed !== "read", target: "POST /api/v1/test", needed });

describe.each(DATABASE_KINDS)("auth on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    process.env.PRETEXT_AUTH = "on";
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    delete process.env.PRETEXT_AUTH;
    await t?.drop();
  });

  it("scopes: none → 401, read token writing → 403, write token changing a rollout → 403; each refusal audited", async () => {
    const { token: read } = await createToken(t.database, { name: "reader", scopes: ["read"] }, "test");
    const { token: write } = await createToken(t.database, { name: "writer", scopes: ["write"] }, "test");
    const { token: admin } = await createToken(t.database, { name: "root", scopes: ["admin"] }, "test");
    await expect(authorize(t.database, new Headers(), access("read"))).rejects.toMatchObject({ status: 401 });
    await expect(authorize(t.database, bearer(read), access("write"))).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/token:reader has read scope; POST \/api\/v1\/test needs write/) });
    await expect(authorize(t.database, bearer(write), access("admin"))).rejects.toMatchObject({ status: 403 });
    await expect(authorize(t.database, bearer(`${write}x`), access("read"))).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/unknown, expired or revoked/) });
    await expect(authorize(t.database, new Headers({ authorization: "Basic abc" }), access("read"))).rejects.toMatchObject({ status: 401 });
    expect((await authorize(t.database, bearer(write), access("read"))).actor).toBe("token:writer");
    expect((await authorize(t.database, bearer(admin), access("admin"))).scope).toBe("admin");
    const refused = await listAudit(t.database, { action: "auth.refused" });
    expect(refused.map((e) => e.actor)).toEqual(expect.arrayContaining(["anonymous", "token:reader", "token:writer"]));
    expect(refused.length).toBeGreaterThanOrEqual(5);
  });

  it("stores only a hash of a token; revoked and expired tokens stop working at once", async () => {
    const { token, info } = await createToken(t.database, { name: "ci", scopes: ["write"], expiresInDays: 1 }, "test");
    expect(token).toMatch(/^ptx_[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify((await t.database.db.execute(sql`select * from api_tokens`)).rows) + JSON.stringify(await listAudit(t.database, {}));
    expect(dump).not.toContain(token.slice(4));
    expect(dump).toContain(info.prefix);
    await authorize(t.database, bearer(token), access("write"));
    await revokeToken(t.database, info.id, "test");
    await expect(authorize(t.database, bearer(token), access("read"))).rejects.toMatchObject({ status: 401 });
    await expect(revokeToken(t.database, info.id, "test")).rejects.toMatchObject({ status: 409 });
    const { token: old, info: oldInfo } = await createToken(t.database, { name: "old", scopes: ["read"] }, "test");
    await t.database.db.execute(sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${oldInfo.id}`);
    await expect(authorize(t.database, bearer(old), access("read"))).rejects.toMatchObject({ status: 401 });
  });

  it("a project's token reaches its project's runs only", async () => {
    const mine = await createRun(t.database, { project: "vision", experiment: "e", name: "r" });
    const theirs = await createRun(t.database, { project: "audio", experiment: "e", name: "r" });
    const { token } = await createToken(t.database, { name: "vision-ci", scopes: ["write"], project: "vision" }, "test");
    const principal = await authorize(t.database, bearer(token), access("write"));
    await requireRunProject(t.database, principal, mine.id, "run");
    await expect(requireRunProject(t.database, principal, theirs.id, "run")).rejects.toMatchObject({ status: 403 });
    await expect(createToken(t.database, { name: "x", scopes: ["read"], project: "nope" }, "test")).rejects.toMatchObject({ status: 404 });
  });

  it("first start: one admin with a one-time link; sessions are new at each sign-in and cookie writes need the CSRF header", async () => {
    const link = await ensureFirstAdmin(t.database);
    expect(link).toBeTruthy();
    expect(await ensureFirstAdmin(t.database)).toBeNull();
    const session = await redeemSignInLink(t.database, link!);
    await expect(redeemSignInLink(t.database, link!)).rejects.toMatchObject({ status: 401 }); // once only
    const cookie = new Headers({ cookie: `${SESSION_COOKIE}=${session}` });
    expect((await authorize(t.database, cookie, access("read"))).actor).toBe("user:admin");
    await expect(authorize(t.database, cookie, access("write"))).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/csrf/) });
    expect((await authorize(t.database, cookie, { write: false, target: "trpc access.users", needed: "admin" })).actor).toBe("user:admin"); // an admin read needs no CSRF header
    const forged = new Headers({ cookie: `${SESSION_COOKIE}=${session}`, [CSRF_HEADER]: csrfToken("a guess") });
    await expect(authorize(t.database, forged, access("write"))).rejects.toMatchObject({ status: 403 });
    const good = new Headers({ cookie: `${SESSION_COOKIE}=${session}`, [CSRF_HEADER]: csrfToken(session) });
    expect((await authorize(t.database, good, access("admin"))).actor).toBe("user:admin");

    // session fixation: a session id the attacker planted is never adopted; signing in makes a new one
    const planted = "attacker-chosen-session-id";
    await expect(authorize(t.database, new Headers({ cookie: `${SESSION_COOKIE}=${planted}` }), access("read"))).rejects.toMatchObject({ status: 401 });
    const admin = await authorize(t.database, good, access("read"));
    await setPassword(t.database, admin.userId!, "correct horse battery", admin);
    const fresh = await signInWithPassword(t.database, { name: "admin", password: "correct horse battery" });
    expect(fresh).not.toBe(planted);
    expect(fresh).not.toBe(session);
    await expect(signInWithPassword(t.database, { name: "admin", password: "wrong password!!" })).rejects.toMatchObject({ status: 401 });
    await expect(signInWithPassword(t.database, { name: "nobody", password: "wrong password!!" })).rejects.toMatchObject({ status: 401 });
  });

  it("roles bound what users may do; disabling ends sessions; the last admin stays", async () => {
    const { link } = await createUser(t.database, { name: "vera", role: "viewer" }, "user:admin");
    const session = await redeemSignInLink(t.database, link);
    const headers = new Headers({ cookie: `${SESSION_COOKIE}=${session}`, [CSRF_HEADER]: csrfToken(session) });
    await authorize(t.database, headers, access("read"));
    await expect(authorize(t.database, headers, access("write"))).rejects.toMatchObject({ status: 403 });
    await updateUser(t.database, { name: "vera", role: "editor" }, "user:admin");
    await authorize(t.database, headers, access("write"));
    await updateUser(t.database, { name: "vera", disabled: true }, "user:admin");
    await expect(authorize(t.database, headers, access("read"))).rejects.toMatchObject({ status: 401 });
    await expect(updateUser(t.database, { name: "admin", role: "viewer" }, "user:admin")).rejects.toMatchObject({ status: 409 });
    await expect(createUser(t.database, { name: "vera", role: "admin" }, "user:admin")).rejects.toMatchObject({ status: 409 });
    const changes = await listAudit(t.database, { objectType: "user", objectId: "vera" });
    expect(changes.map((e) => e.action)).toEqual(["user.update", "user.update", "session.create", "user.create"]);
    expect(changes[1]).toMatchObject({ actor: "user:admin", before: expect.objectContaining({ role: "viewer" }), after: expect.objectContaining({ role: "editor" }) });
  });

  it("the audit log is append-only", async () => {
    // drizzle wraps the database's error; the trigger's message is its cause
    const refusal = (p: Promise<unknown>) => p.then(() => "allowed", (err: Error & { cause?: Error }) => err.cause?.message ?? err.message);
    expect(await refusal(t.database.db.execute(sql`update audit_events set actor = 'someone else'`))).toMatch(/append-only/);
    expect(await refusal(t.database.db.execute(sql`delete from audit_events`))).toMatch(/append-only/);
  });
});

describe("rate limits", () => {
  afterEach(() => delete process.env.PRETEXT_INFERENCE_RATE);
  it("a caller beyond its rate gets a 429 with the seconds to wait; others are not affected", () => {
    process.env.PRETEXT_INFERENCE_RATE = "5"; // bucket of 10 (two seconds)
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) takeRateToken("inference", "token:busy", now);
    expect(() => takeRateToken("inference", "token:busy", now)).toThrow(expect.objectContaining({ status: 429, retryAfterS: 1 }));
    takeRateToken("inference", "token:quiet", now);
    takeRateToken("inference", "token:busy", now + 200); // 0.2 s refills one
    process.env.PRETEXT_INFERENCE_RATE = "lots";
    expect(() => takeRateToken("inference", "token:busy", now)).toThrow(/PRETEXT_INFERENCE_RATE: "lots"/);
  });
});
