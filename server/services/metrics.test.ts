import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { createRun, getRunParams, listRuns } from "./runs";
import { logBatch } from "./metrics";
import { readSeries } from "./series";
import { query } from "@/server/db/sql";

describe.each(DATABASE_KINDS)("metric ingestion on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  const points = (key: string, from: number, to: number, f: (s: number) => number | string = (s) => s / 10) =>
    Array.from({ length: to - from }, (_, i) => ({ key, step: from + i, value: f(from + i) as number, timestamp: 1_700_000_000_000 + from + i }));

  it("stores params and points and keeps a retried batch free of duplicates", async () => {
    const run = await createRun(t.database, { experiment: "ingest", name: "a" });
    const batch = { params: { lr: 0.1, method: "simclr", amp: false, note: null }, metrics: points("loss", 0, 500) };
    expect(await logBatch(t.database, run.id, batch)).toEqual({ points: 500, params: 4 });
    await logBatch(t.database, run.id, batch); // the retry
    const [{ n }] = await query<{ n: number }>(t.database, "select count(*)::int as n from metric_points");
    expect(n).toBe(500);
    const series = await readSeries(t.database, run.id, "loss", { maxPoints: 1000 });
    expect(series.total).toBe(500);
    expect(series.points.map((p) => p.step)).toEqual([...Array(500).keys()]);
    expect(await getRunParams(t.database, run.id)).toEqual([
      { key: "amp", value: false },
      { key: "lr", value: 0.1 },
      { key: "method", value: "simclr" },
      { key: "note", value: null },
    ]);
  });

  it("overwrites a step that is logged again and keeps block summaries right", async () => {
    const run = await createRun(t.database, { experiment: "ingest" });
    await logBatch(t.database, run.id, { metrics: points("acc", 0, 3000, () => 0.5) });
    await logBatch(t.database, run.id, { metrics: [{ key: "acc", step: 1234, value: 99 }] });
    const full = await readSeries(t.database, run.id, "acc", { maxPoints: 5000 });
    expect(full.points.find((p) => p.step === 1234)?.value).toBe(99);
    const down = await readSeries(t.database, run.id, "acc", { maxPoints: 20 });
    expect(down.downsampled).toBe(true);
    expect(down.points.length).toBeLessThanOrEqual(20);
    expect(Math.max(...down.points.map((p) => p.value))).toBe(99);
    const { runs } = await listRuns(t.database, run.experimentId);
    expect(runs.find((r) => r.id === run.id)?.metrics.acc).toBe(0.5);
  });

  it("keeps NaN and Infinity, and downsampling keeps extremes and the gap", async () => {
    const run = await createRun(t.database, { experiment: "ingest" });
    const f = (s: number) => (s === 70_000 ? "NaN" : s === 80_000 ? "Infinity" : s === 50_000 ? -7 : s === 123_456 ? 42 : Math.sin(s / 1000));
    for (let from = 0; from < 200_000; from += 10_000) {
      await logBatch(t.database, run.id, { metrics: points("loss", from, from + 10_000, f) });
    }
    const s = await readSeries(t.database, run.id, "loss", { maxPoints: 1000 });
    expect(s.total).toBe(200_000);
    expect(s.downsampled).toBe(true);
    expect(s.points.length).toBeLessThanOrEqual(1000);
    const finite = s.points.filter((p) => Number.isFinite(p.value));
    expect(Math.min(...finite.map((p) => p.value))).toBe(-7);
    expect(finite.find((p) => p.value === 42)?.step).toBe(123_456);
    expect(s.points.some((p) => Number.isNaN(p.value))).toBe(true);
    const raw = await readSeries(t.database, run.id, "loss", { stepFrom: 69_990, stepTo: 80_010, maxPoints: 100_000 });
    expect(raw.points.find((p) => p.step === 70_000)?.value).toBeNaN();
    expect(raw.points.find((p) => p.step === 80_000)?.value).toBe(Infinity);
  });

  it("rejects a bad batch whole and names the field", async () => {
    const run = await createRun(t.database, { experiment: "ingest" });
    await logBatch(t.database, run.id, { metrics: points("x", 0, 10) });
    const bad = { metrics: [...points("x", 10, 20), { key: "x", step: 20, value: "abc" as unknown as number }] };
    await expect(logBatch(t.database, run.id, bad)).rejects.toThrow(/metrics\.10\.value: must be a number/);
    await expect(logBatch(t.database, run.id, { metrics: [{ key: "x", step: -1, value: 1 }] })).rejects.toThrow(/metrics\.0\.step/);
    const tooMany = { metrics: points("x", 0, 10_001) };
    await expect(logBatch(t.database, run.id, tooMany)).rejects.toMatchObject({ status: 413, message: expect.stringMatching(/at most 10000/) });
    await expect(logBatch(t.database, 999_999, { metrics: points("x", 0, 1) })).rejects.toMatchObject({ status: 404 });
    const s = await readSeries(t.database, run.id, "x");
    expect(s.total).toBe(10);
  });

  it("stores nothing of a rejected batch, params included", async () => {
    const run = await createRun(t.database, { experiment: "ingest" });
    const batch = { params: { p: 1 }, metrics: [...points("y", 0, 5), { key: "bad key!", step: 5, value: 1 }] };
    await expect(logBatch(t.database, run.id, batch)).rejects.toThrow(/metrics\.5\.key/);
    expect(await getRunParams(t.database, run.id)).toEqual([]);
    await expect(readSeries(t.database, run.id, "y")).rejects.toMatchObject({ status: 404 });
  });
});
