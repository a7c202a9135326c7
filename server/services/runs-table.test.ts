import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { query } from "@/server/db/sql";
import { createRun, listRuns, setRunStatus } from "./runs";
import { writeBatch } from "./metrics";
import { compareRuns } from "./compare";
import { FilterSyntaxError } from "./run-filter";

/** Five runs whose params, metrics, tags and statuses make every filter's answer known by hand. */
const RUNS = [
  { name: "a", params: { method: "simclr", lr: 0.1, amp: true }, acc: [0.5, 0.85], tags: { team: "vision" }, status: "finished" },
  { name: "b", params: { method: "simclr", lr: 0.01, amp: false }, acc: [0.9, 0.7], tags: {}, status: "finished" },
  { name: "c", params: { method: "byol", lr: 0.001 }, acc: [0.2, 0.95], tags: { team: "vision" }, status: "failed" },
  { name: "d", params: { method: "simclr", lr: "auto" }, acc: [0.3, 0.82], tags: { team: "audio" }, status: "running" },
  { name: "e", params: {}, acc: null, tags: {}, status: "running" },
] as const;

describe.each(DATABASE_KINDS)("runs table query on %s", (kind) => {
  let t: TestDatabase;
  let experimentId: number;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    for (const r of RUNS) {
      const run = await createRun(t.database, { experiment: "table", name: r.name, tags: r.tags });
      experimentId = run.experimentId;
      ids.set(r.name, run.id);
      const points = r.acc ? r.acc.map((value, step) => ({ key: "knn_acc", step, value, wallTime: 1_700_000_000_000 + step })) : [];
      await writeBatch(t.database, run.id, r.params, points);
      if (r.status !== "running") await setRunStatus(t.database, run.id, r.status);
    }
    // an unrelated experiment's run must never show up
    const other = await createRun(t.database, { experiment: "other", name: "x" });
    await writeBatch(t.database, other.id, { method: "simclr" }, [{ key: "knn_acc", step: 0, value: 0.99, wallTime: 0 }]);
  });
  afterAll(async () => t?.drop());

  const names = async (filter: string, sort = "name", dir: "asc" | "desc" = "asc") =>
    (await listRuns(t.database, experimentId, { filter, sort, dir })).runs.map((r) => r.name).join("");

  it("filters on params, latest metrics, summaries, tags and status", async () => {
    expect(await names("")).toBe("abcde");
    expect(await names('params.method = "simclr" and metrics.knn_acc > 0.8 and status = "finished" or tags.team = "vision"')).toBe("ac");
    expect(await names('params.method = "simclr" and metrics.knn_acc > 0.8')).toBe("ad");
    expect(await names("max(metrics.knn_acc) >= 0.9")).toBe("bc");
    expect(await names("min(metrics.knn_acc) < 0.3")).toBe("c");
    expect(await names("params.lr < 0.05")).toBe("bc"); // "auto" is no number
    expect(await names('params.lr = "auto"')).toBe("d");
    expect(await names("params.amp = true")).toBe("a");
    expect(await names('params.method != "simclr"')).toBe("c"); // e has no method
    expect(await names('not params.method = "simclr"')).toBe("ce");
    expect(await names('not (tags.team = "vision")')).toBe("bde");
    expect(await names('tags.team != "vision"')).toBe("d");
    expect(await names('status = "running" and not backend = "wasm"')).toBe("de");
    expect(await names('name like "%"  and (id = ' + ids.get("b") + " or id = " + ids.get("e") + ")")).toBe("be");
    expect(await names('created > "2000-01-01" and created < "2000-01-02"')).toBe("");
  });

  it("binds every value: quotes and SQL in a value are only text", async () => {
    expect(await names("params.method = \"x' or '1'='1\"")).toBe("");
    expect(await names('tags.`team\'; drop table runs; --` = "a"')).toBe("");
    const [{ n }] = await query<{ n: number }>(t.database, "select count(*)::int as n from runs");
    expect(n).toBe(6);
  });

  it("sorts by any field with runs lacking it last, and pages", async () => {
    expect(await names("", "metrics.knn_acc", "desc")).toBe("cadbe");
    expect(await names("", "metrics.knn_acc", "asc")).toBe("bdace");
    expect(await names("", "max(metrics.knn_acc)", "desc")).toBe("cbade");
    expect(await names("", "params.lr", "asc")).toBe("cbade"); // numbers, then text, then missing
    expect(await names("", "tags.team", "asc")).toBe("dacbe");
    expect(await names("", "status", "asc")).toBe("cabde");
    const page = await listRuns(t.database, experimentId, { sort: "name", dir: "asc", page: 1, pageSize: 2 });
    expect([page.total, page.runs.map((r) => r.name).join("")]).toEqual([5, "cd"]);
    const filtered = await listRuns(t.database, experimentId, { filter: "metrics.knn_acc > 0", pageSize: 2 });
    expect(filtered.total).toBe(4);
    const pastTheEnd = await listRuns(t.database, experimentId, { filter: "metrics.knn_acc > 0", pageSize: 2, page: 5 });
    expect([pastTheEnd.total, pastTheEnd.runs.length]).toEqual([4, 0]);
    expect((await listRuns(t.database, experimentId, { filter: "id = 0" })).total).toBe(0);
  });

  it("returns the page's params and latest metrics and the experiment's keys", async () => {
    const { runs, keys, sort, dir } = await listRuns(t.database, experimentId, { filter: 'name = "a"' });
    expect(runs[0].params).toEqual({ method: "simclr", lr: 0.1, amp: true });
    expect(runs[0].metrics).toEqual({ knn_acc: 0.85 });
    expect(keys).toEqual({ params: ["amp", "lr", "method"], metrics: ["knn_acc"], tags: ["team"] });
    expect([sort, dir]).toEqual(["created", "desc"]);
  });

  it("rejects a bad expression or sort with the field and position", async () => {
    await expect(listRuns(t.database, experimentId, { filter: "metrics.knn_acc >" })).rejects.toThrow(FilterSyntaxError);
    await expect(listRuns(t.database, experimentId, { filter: "metrics.knn_acc >" })).rejects.toThrow(/^filter: at position 18, expected a value/);
    await expect(listRuns(t.database, experimentId, { sort: "params." })).rejects.toThrow(/^sort: at position 8/);
    await expect(listRuns(t.database, 987654)).rejects.toThrow("experiment 987654 not found");
  });

  it("compares runs: params, summaries and series in one call, long series downsampled with extremes kept", async () => {
    const a = ids.get("a")!;
    const long = Array.from({ length: 9000 }, (_, i) => ({ key: "loss", step: i, value: i === 4321 ? 50 : 1 / (i + 1), wallTime: 1_700_000_000_000 + i }));
    await writeBatch(t.database, a, {}, long);
    const result = await compareRuns(t.database, { runIds: [a, ids.get("c")!], maxPoints: 500 });
    expect(result.runs.map((r) => r.name)).toEqual(["a", "c"]);
    expect(result.runs[1].params).toEqual({ method: "byol", lr: 0.001 });
    expect(result.runs[0].metrics.knn_acc).toEqual({ last: 0.85, min: 0.5, max: 0.85, lastStep: 1 });
    expect(result.metricKeys).toEqual(["knn_acc", "loss"]);
    const loss = result.series.find((s) => s.key === "loss")!;
    expect([loss.runId, loss.total, loss.downsampled]).toEqual([a, 9000, true]);
    expect(loss.steps.length).toBeLessThanOrEqual(500);
    expect(Math.max(...loss.values)).toBe(50); // the spike survives
    expect(loss.steps[loss.values.indexOf(50)]).toBe(4321);
    expect(loss.steps[0]).toBe(0);
    expect(loss.steps.at(-1)).toBe(8999);
    // at 50 points each bucket spans several blocks: the series comes from its block summaries
    const coarse = (await compareRuns(t.database, { runIds: [a], keys: ["loss"], maxPoints: 50 })).series[0];
    expect(coarse.steps.length).toBeLessThanOrEqual(50);
    expect([coarse.steps[0], coarse.steps.at(-1), Math.max(...coarse.values)]).toEqual([0, 8999, 50]);
    const acc = result.series.filter((s) => s.key === "knn_acc");
    expect(acc.map((s) => [s.runId, s.downsampled, s.values])).toEqual([
      [a, false, [0.5, 0.85]],
      [ids.get("c"), false, [0.2, 0.95]],
    ]);
    const onlyAcc = await compareRuns(t.database, { runIds: [a], keys: ["knn_acc"] });
    expect(onlyAcc.series.map((s) => s.key)).toEqual(["knn_acc"]);
    await expect(compareRuns(t.database, { runIds: [a, 987654] })).rejects.toThrow("run 987654 not found");
    await expect(compareRuns(t.database, { runIds: [] })).rejects.toThrow("runIds: must name at least one run");
  });
});
