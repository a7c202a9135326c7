import { count } from "drizzle-orm";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experiments, projects } from "@/drizzle/schema";
import { appRouter, createCaller } from "@/server/api/root";
import type { Database } from "@/server/db";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { MAX_TAGS } from "@/server/validation";
import { createRun, getExperiment, getRun, setRunStatus, setRunTags } from "./runs";
import { getEncoder } from "@/server/registry/encoders";

const BIG_ID = 2 ** 31;

describe.each(DATABASE_KINDS)("runs at the edges on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  const rejected = (p: Promise<unknown>) => p.then(() => null, (e: { status?: number; code?: string; message: string }) => e);

  it("merges tags sent at the same time without losing any", async () => {
    const run = await createRun(t.database, { experiment: "tag-race" });
    await Promise.all(Array.from({ length: 20 }, (_, i) => setRunTags(t.database, run.id, { [`k${i}`]: String(i) })));
    expect(Object.keys((await getRun(t.database, run.id)).tags).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
  });

  it("creates project, experiment and run together: a run that cannot be stored leaves neither behind", async () => {
    const [before] = await Promise.all([t.database.db.select({ n: count() }).from(projects)]);
    // the service itself does not refuse NUL (the edges do), so the insert fails inside the transaction
    const failed = await rejected(createRun(t.database, { project: "orphan-p", experiment: "orphan-e", notes: "a\u0000b" }));
    expect(failed).not.toBeNull();
    expect((await t.database.db.select({ n: count() }).from(projects))[0].n).toBe(before[0].n);
    expect((await t.database.db.select().from(experiments)).map((e) => e.name)).not.toContain("orphan-e");
    const ok = await createRun(t.database, { project: "orphan-p", experiment: "orphan-e" });
    expect(ok.id).toBeGreaterThan(0);
  });

  it("never reopens a finished or cancelled run; a failed one may be queued again (a worker's retry)", async () => {
    const finished = await createRun(t.database, { experiment: "status" });
    await setRunStatus(t.database, finished.id, "finished");
    for (const status of ["queued", "running"] as const) {
      const err = await rejected(setRunStatus(t.database, finished.id, status));
      expect(err?.status).toBe(409);
      expect(err?.message).toMatch(/status: .*already finished; it cannot become .*never reopened/);
    }
    expect((await setRunStatus(t.database, finished.id, "finished")).status).toBe("finished");
    const cancelled = await createRun(t.database, { experiment: "status" });
    await setRunStatus(t.database, cancelled.id, "cancelled");
    expect((await rejected(setRunStatus(t.database, cancelled.id, "queued")))?.status).toBe(409);
    const failed = await createRun(t.database, { experiment: "status" });
    await setRunStatus(t.database, failed.id, "failed", "attempt 1 failed");
    expect((await rejected(setRunStatus(t.database, failed.id, "running")))?.status).toBe(409);
    expect((await setRunStatus(t.database, failed.id, "queued", "retrying")).status).toBe("queued");
    expect((await setRunStatus(t.database, failed.id, "running")).status).toBe("running");
    expect((await getRun(t.database, finished.id)).status).toBe("finished");
  });

  it("limits tags and config, naming the limit", async () => {
    const many = Object.fromEntries(Array.from({ length: MAX_TAGS + 1 }, (_, i) => [`k${i}`, "v"]));
    const tooMany = await rejected(createRun(t.database, { experiment: "limits", tags: many }));
    expect(tooMany?.status).toBe(400);
    expect(tooMany?.message).toMatch(/tags: must have at most 1000 tags/);
    const long = await rejected(createRun(t.database, { experiment: "limits", tags: { k: "x".repeat(1001) } }));
    expect(long?.message).toMatch(/tags\.k: must be at most 1000 characters/);
    const big = await rejected(createRun(t.database, { experiment: "limits", config: { blob: "x".repeat(1024 * 1024) } }));
    expect(big?.status).toBe(400);
    expect(big?.message).toMatch(/config: must be at most 1048576 bytes/);
    const run = await createRun(t.database, { experiment: "limits", tags: Object.fromEntries(Object.entries(many).slice(0, MAX_TAGS)) });
    const merged = await rejected(setRunTags(t.database, run.id, { one: "more" }));
    expect(merged?.status).toBe(413);
    expect(merged?.message).toMatch(/tags: a run has at most 1000 tags; these would make 1001/);
    // removing and replacing stays possible at the limit
    expect(Object.keys((await setRunTags(t.database, run.id, { k0: "", one: "more" })).tags)).toHaveLength(MAX_TAGS);
  });

  it("answers an id beyond PostgreSQL's integer range as unknown (404) in services, and as bad input (400) over tRPC", async () => {
    expect((await rejected(getRun(t.database, BIG_ID)))?.status).toBe(404);
    expect((await rejected(getExperiment(t.database, BIG_ID)))?.status).toBe(404);
    expect((await rejected(getEncoder(t.database, BIG_ID)))?.status).toBe(404);
    const caller = createCaller({ database: t.database, headers: new Headers() });
    for (const call of [
      () => caller.runs.get({ id: BIG_ID }),
      () => caller.runs.setStatus({ id: BIG_ID, status: "finished" }),
      () => caller.experiments.get({ id: BIG_ID }),
      () => caller.metrics.series({ runId: BIG_ID, key: "loss" }),
      () => caller.runs.create({ parentRunId: BIG_ID }),
    ]) {
      const err = await rejected(call());
      expect(err?.code).toBe("BAD_REQUEST");
      expect(err?.message).toMatch(/id: must be an? (run|experiment) id, at most 2147483647/i);
    }
  });

  it("refuses a NUL character or deep nesting in any tRPC input, naming the field", async () => {
    const caller = createCaller({ database: t.database, headers: new Headers() });
    const nul = await rejected(caller.runs.create({ experiment: "nul", notes: "a\u0000b" }));
    expect(nul?.code).toBe("BAD_REQUEST");
    expect(nul?.message).toBe("notes: must not contain the NUL character (\\u0000)");
    const inConfig = await rejected(caller.runs.create({ experiment: "nul", config: { a: { b: ["x\u0000"] } } }));
    expect(inConfig?.message).toMatch(/^config\.a\.b\.0: must not contain the NUL/);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const nested = await rejected(caller.runs.create({ experiment: "nul", config: deep as Record<string, unknown> }));
    expect(nested?.message).toMatch(/nested deeper than the limit of 64 levels/);
    expect((await t.database.db.select().from(experiments)).map((e) => e.name)).not.toContain("nul");
  });

  it("answers an internal error over tRPC without its SQL or stack", async () => {
    const failing = { ...t.database, db: new Proxy({}, { get: () => () => { throw new Error("Failed query: select secret from runs"); } }) } as unknown as Database;
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`http://x/api/trpc/runs.get?input=${encodeURIComponent(JSON.stringify({ json: { id: 1 } }))}`),
      router: appRouter,
      createContext: async () => ({ database: failing, headers: new Headers() }),
      onError: () => {},
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toMatch(/internal error/);
    expect(text).not.toMatch(/secret|stack|at /);
    const big = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`http://x/api/trpc/runs.get?input=${encodeURIComponent(JSON.stringify({ json: { id: BIG_ID } }))}`),
      router: appRouter,
      createContext: async () => ({ database: t.database, headers: new Headers() }),
    });
    expect(big.status).toBe(400);
    const body = await big.text();
    expect(body).toMatch(/id: must be a run id, at most 2147483647/);
    expect(body).not.toMatch(/select|"stack"/);
  });
});
