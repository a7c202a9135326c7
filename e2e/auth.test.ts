/**
 * Access control against next start: every write route refuses a missing token (401) and a read
 * token (403), rollout changes refuse a write token (403), every refusal is audited, tokens never
 * appear in the database or the server's log in plain text, and a browser session resists
 * fixation and forged (CSRF) writes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { createPostgresDatabase } from "@/server/testing/databases";
import { startApp, type AppServer } from "@/server/testing/app-server";

type Route = { method: string; path: string; body?: unknown; scope: "write" | "admin" };

describe("access control (next start, PostgreSQL)", () => {
  let app: AppServer;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let pool: pg.Pool;
  const tokens: Record<string, string> = {};
  let runId: number;
  let encoderId: number;

  const call = (route: { method: string; path: string; body?: unknown }, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${route.path}`, {
      method: route.method,
      headers: { "content-type": "application/json", connection: "close", ...headers },
      body: route.body === undefined ? undefined : JSON.stringify(route.body),
      redirect: "manual",
    });
  const bearer = (name: string) => ({ authorization: `Bearer ${tokens[name]}` });
  const makeToken = async (name: string, scopes: string[], project?: string) => {
    const res = await app.fetch("/api/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, scopes, project }) });
    assert.equal(res.status, 201, await res.clone().text());
    tokens[name] = ((await res.json()) as { token: string }).token;
  };

  before(async () => {
    db = await createPostgresDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    app = await startApp({ DATABASE_URL: db.url, PRETEXT_EMBEDDED_WORKER: "0" });
    await makeToken("reader", ["read"]);
    await makeToken("writer", ["write"]);
    const run = (await (await call({ method: "POST", path: "/api/v1/runs", body: { project: "vision", experiment: "auth", name: "r" } }, bearer("writer"))).json()) as { id: number };
    runId = run.id;
    const put = await fetch(`${app.url}/api/v1/runs/${runId}/artifacts/encoder.ptx?kind=encoder`, { method: "PUT", headers: bearer("writer"), body: readFileSync("examples/encoders/fashion-mnist-simclr.ptx") });
    assert.equal(put.status, 201);
    const encoder = await call({ method: "POST", path: "/api/v1/encoders", body: { name: "auth-enc", runId, artifactName: "encoder.ptx" } }, bearer("writer"));
    assert.equal(encoder.status, 201, await encoder.clone().text());
    encoderId = ((await encoder.json()) as { id: number }).id;
    await makeToken("vision-ci", ["write"], "vision");
  });
  after(async () => {
    await app?.stop();
    await pool?.end();
    await db?.drop();
  });

  const routes = (): Route[] => [
    { method: "POST", path: "/api/v1/runs", body: { experiment: "auth" }, scope: "write" },
    { method: "PATCH", path: `/api/v1/runs/${runId}`, body: { notes: "x" }, scope: "write" },
    { method: "POST", path: `/api/v1/runs/${runId}/log`, body: { metrics: [{ key: "loss", step: 0, value: 1 }] }, scope: "write" },
    { method: "POST", path: `/api/v1/runs/${runId}/status`, body: { status: "running" }, scope: "write" },
    { method: "POST", path: `/api/v1/runs/${runId}/tags`, body: { tags: { a: "b" } }, scope: "write" },
    { method: "POST", path: `/api/v1/runs/${runId}/heartbeat`, body: {}, scope: "write" },
    { method: "POST", path: `/api/v1/runs/${runId}/cancel`, body: {}, scope: "write" },
    { method: "PUT", path: `/api/v1/runs/${runId}/artifacts/x.bin`, body: "bytes", scope: "write" },
    { method: "POST", path: "/api/v1/jobs", body: { config: {} }, scope: "write" },
    { method: "POST", path: "/api/v1/sweeps", body: {}, scope: "write" },
    { method: "POST", path: "/api/v1/datasets", body: {}, scope: "write" },
    { method: "POST", path: "/api/v1/encoders", body: {}, scope: "write" },
    { method: "POST", path: "/api/v1/benchmarks/results", body: {}, scope: "write" },
    { method: "POST", path: `/api/v1/encoders/${encoderId}/stage`, body: { stage: "staging", reason: "x" }, scope: "admin" },
    { method: "PUT", path: "/api/v1/gates/auth-enc", body: { rules: [] }, scope: "admin" },
    { method: "POST", path: "/api/v1/deployments", body: { name: "d", encoderName: "auth-enc" }, scope: "admin" },
    { method: "POST", path: "/api/v1/tokens", body: { name: "x", scopes: ["read"] }, scope: "admin" },
    { method: "DELETE", path: "/api/v1/tokens/1", scope: "admin" },
    { method: "POST", path: "/api/v1/users", body: { name: "eve", role: "admin" }, scope: "admin" },
    { method: "PATCH", path: "/api/v1/users/admin", body: { role: "viewer" }, scope: "admin" },
    { method: "POST", path: "/api/v1/users/admin/link", body: {}, scope: "admin" },
    { method: "POST", path: "/api/trpc/registry.changeStage", body: { json: { id: encoderId, stage: "staging", reason: "x" } }, scope: "admin" },
    { method: "POST", path: "/api/trpc/runs.create", body: { json: { experiment: "auth" } }, scope: "write" },
  ];

  it("refuses every write without a token (401), with a read token (403), and rollout changes with a write token (403); each refusal audited", async () => {
    const auditedBefore = Number((await pool.query("select count(*) from audit_events where action = 'auth.refused'")).rows[0].count);
    const stateBefore = (await pool.query("select (select count(*) from runs) runs, (select count(*) from encoder_stage_changes) stages, (select count(*) from deployments) deps, (select count(*) from api_tokens) toks, (select count(*) from users) users")).rows[0];
    let refusals = 0;
    for (const route of routes()) {
      const anonymous = await call(route);
      assert.equal(anonymous.status, 401, `${route.method} ${route.path} without a token`);
      assert.match(await anonymous.text(), /authorization: .* needs a token with the (write|admin) scope/, `${route.method} ${route.path} says why`);
      const read = await call(route, bearer("reader"));
      assert.equal(read.status, 403, `${route.method} ${route.path} with a read token`);
      refusals += 2;
      if (route.scope === "admin") {
        const write = await call(route, bearer("writer"));
        assert.equal(write.status, 403, `${route.method} ${route.path} with a write token`);
        refusals += 1;
      }
    }
    const audited = Number((await pool.query("select count(*) from audit_events where action = 'auth.refused'")).rows[0].count) - auditedBefore;
    assert.equal(audited, refusals, "one audit row per refusal");
    const stateAfter = (await pool.query("select (select count(*) from runs) runs, (select count(*) from encoder_stage_changes) stages, (select count(*) from deployments) deps, (select count(*) from api_tokens) toks, (select count(*) from users) users")).rows[0];
    assert.deepEqual(stateAfter, stateBefore, "nothing refused was stored");
    const byActor = await app.fetch(`/api/v1/audit?actor=${encodeURIComponent("token:writer")}&action=auth.refused`);
    assert.equal(((await byActor.json()) as unknown[]).length, routes().filter((r) => r.scope === "admin").length);
  });

  it("keeps a project's token to its project", async () => {
    const other = (await (await call({ method: "POST", path: "/api/v1/runs", body: { project: "audio", experiment: "auth" } }, bearer("writer"))).json()) as { id: number };
    const log = (id: number) => call({ method: "POST", path: `/api/v1/runs/${id}/log`, body: { metrics: [{ key: "x", step: 0, value: 1 }] } }, bearer("vision-ci"));
    assert.equal((await log(runId)).status, 200);
    assert.equal((await log(other.id)).status, 403);
    assert.equal((await call({ method: "POST", path: "/api/v1/runs", body: { project: "audio", experiment: "e" } }, bearer("vision-ci"))).status, 403);
    assert.equal((await call({ method: "POST", path: "/api/v1/runs", body: { project: "vision", experiment: "e" } }, bearer("vision-ci"))).status, 201);
    assert.equal((await call({ method: "GET", path: "/api/v1/deployments" }, bearer("vision-ci"))).status, 403);
  });

  it("stores tokens only as hashes and never prints them", async () => {
    const dump = JSON.stringify((await pool.query("select * from api_tokens")).rows) + JSON.stringify((await pool.query("select * from audit_events")).rows);
    for (const token of Object.values(tokens)) {
      assert.ok(!dump.includes(token.slice(4)), "a token in the database");
      assert.ok(!app.log().includes(token.slice(4)), "a token in the server's log");
    }
  });

  it("signs in by a one-time link with a fresh session (never a planted one); cookie writes need the CSRF header", async () => {
    const link = ((await (await app.fetch("/api/v1/users/admin/link", { method: "POST", headers: { "content-type": "application/json" } })).json()) as { link: string }).link;
    const planted = "pretext_session=attacker-chosen";
    const signIn = await fetch(`${app.url}${link}`, { headers: { cookie: planted }, redirect: "manual" });
    assert.equal(signIn.status, 303);
    const cookies = signIn.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("pretext_session="))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    const secret = session.split(";")[0];
    assert.notEqual(secret, planted);
    const csrf = cookies.find((c) => c.startsWith("pretext_csrf="))!.split(";")[0].split("=")[1];
    assert.equal((await fetch(`${app.url}${link}`, { redirect: "manual" })).headers.get("location")?.startsWith("/sign-in?error="), true, "a link works once");
    assert.equal((await call({ method: "GET", path: "/api/v1/runs/" + runId }, { cookie: planted })).status, 401, "the planted id is nobody");

    const write = { method: "POST", path: `/api/v1/runs/${runId}/tags`, body: { tags: { by: "browser" } } };
    assert.equal((await call(write, { cookie: secret })).status, 403, "no CSRF header");
    assert.equal((await call(write, { cookie: secret, "x-pretext-csrf": "0".repeat(64) })).status, 403, "a forged CSRF header");
    assert.equal((await call(write, { cookie: secret, "x-pretext-csrf": csrf, origin: "https://evil.example" })).status, 403, "another site");
    assert.equal((await call(write, { cookie: secret, "x-pretext-csrf": csrf })).status, 200);

    const signOut = await call({ method: "POST", path: "/api/v1/auth/sign-out" }, { cookie: secret });
    assert.equal(signOut.status, 204);
    assert.equal((await call({ method: "GET", path: `/api/v1/runs/${runId}` }, { cookie: secret })).status, 401, "the session ended on the server");
  });

  it("sends a page without credentials to sign in and says where it came from", async () => {
    const res = await fetch(`${app.url}/encoders`, { redirect: "manual" });
    assert.equal(res.status, 307);
    assert.match(res.headers.get("location") ?? "", /\/sign-in\?next=%2Fencoders$/);
  });

  it("printed a one-time sign-in link for the first admin at first start", () => {
    assert.match(app.log(), /sign in as admin \(first start\)[\s\S]*\/sign-in\/[A-Za-z0-9_-]{43}/);
  });
});
