import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { uploadArtifact } from "./artifacts";
import { recordBenchmarkResults } from "./benchmarks";
import { EMBEDDING_MAP_ARTIFACT } from "./embedding-map";
import { registerEncoder } from "@/server/registry/encoders";
import { leaderboard } from "./leaderboard";
import { createRun } from "./runs";

describe.each(DATABASE_KINDS)("benchmark leaderboard on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-leaderboard-test-${process.pid}`;
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("is empty without results", async () => {
    expect(await leaderboard(t.database)).toEqual({ benchmarks: [], benchmark: null, metric: "test_accuracy", fractions: [], rows: [] });
  });

  it("aggregates encoders and baselines per fraction over seeds and runs, best encoder first", async () => {
    const pre = await createRun(t.database, { experiment: "pretrain" });
    const [a, b] = [await registerEncoder(t.database, { name: "simclr", runId: pre.id, architecture: "{}", embeddingDim: 8 }), await registerEncoder(t.database, { name: "byol", runId: pre.id, architecture: "{}", embeddingDim: 8 })];
    const evalA = await createRun(t.database, { experiment: "evaluation" });
    const evalB = await createRun(t.database, { experiment: "evaluation" });
    const r = (encoderId: number | null, method: string, labelFraction: number, seed: number, value: number, benchmark = "le/fm") => ({ encoderId, benchmark, method, labelFraction, seed, metric: "test_accuracy", value });
    await recordBenchmarkResults(t.database, evalA.id, [
      r(a.id, "linear_probe", 0.01, 0, 0.7), r(a.id, "linear_probe", 0.01, 1, 0.8), r(a.id, "linear_probe", 1, 0, 0.9),
      r(null, "supervised", 0.01, 0, 0.5), r(null, "supervised", 1, 0, 0.95),
    ]);
    await recordBenchmarkResults(t.database, evalB.id, [r(b.id, "linear_probe", 0.01, 0, 0.78), r(b.id, "knn", 0.1, 0, 0.6), r(null, "supervised", 0.01, 0, 0.7)]);
    await uploadArtifact(t.database, evalA.id, EMBEDDING_MAP_ARTIFACT, "file", new TextEncoder().encode("{}"));
    await recordBenchmarkResults(t.database, evalB.id, [r(b.id, "linear_probe", 0.5, 0, 0.1, "other"), r(b.id, "linear_probe", 0.5, 1, 0.2, "other")]);

    const board = await leaderboard(t.database, { benchmark: "le/fm" });
    expect(board.benchmarks).toEqual(["other", "le/fm"]);
    expect(board.fractions).toEqual([0.01, 0.1, 1]);
    const rows = board.rows.map((row) => ({
      who: row.encoder?.name ?? "baseline",
      method: row.method,
      means: row.cells.map((c) => (c ? Number(c.mean.toFixed(4)) : null)),
      n: row.cells.map((c) => c?.n ?? 0),
      runIds: row.runIds,
      map: row.embeddingMapRunId,
    }));
    expect(rows).toEqual([
      { who: "byol", method: "linear_probe", means: [0.78, null, null], n: [1, 0, 0], runIds: [evalB.id], map: null },
      { who: "simclr", method: "linear_probe", means: [0.75, null, 0.9], n: [2, 0, 1], runIds: [evalA.id], map: evalA.id },
      { who: "byol", method: "knn", means: [null, 0.6, null], n: [0, 1, 0], runIds: [evalB.id], map: null },
      { who: "baseline", method: "supervised", means: [0.6, null, 0.95], n: [2, 0, 1], runIds: [evalA.id, evalB.id], map: null },
    ]);
    // sample std of 0.7 and 0.8
    expect(board.rows[1].cells[0]!.std).toBeCloseTo(Math.SQRT1_2 * 0.1, 10);
    const latest = await leaderboard(t.database);
    expect(latest.benchmark).toBe("other");
    expect(latest.rows[0].cells[0]).toMatchObject({ n: 2 });
    expect((await leaderboard(t.database, { metric: "f1" })).rows).toEqual([]);
  });

  it("names the field of a bad query", async () => {
    await expect(leaderboard(t.database, { benchmark: "" })).rejects.toThrow(/benchmark: /);
  });
});
