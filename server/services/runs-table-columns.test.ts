import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { createRun } from "./runs";
import { writeBatch } from "./metrics";
import { chooseDefaultColumns, defaultColumns, DEFAULT_COLUMN_LIMITS, type KeyStats } from "./runs-table-columns";

const param = (key: string, runs: number, distinctValues: number): KeyStats => ({ kind: "param", key, runs, distinctValues });
const metric = (key: string, runs: number): KeyStats => ({ kind: "metric", key, runs, distinctValues: 0 });
const keysOf = (columns: { kind: string; key: string }[]) => columns.map((c) => `${c.kind}:${c.key}`);

describe("chooseDefaultColumns", () => {
  it("shows the params that differ and the metrics most runs log, loss before bookkeeping", () => {
    // what alphabetical order hid: `method` and `loss` come after batch_size, epoch, grad_norm, …
    const stats = [
      param("batch_size", 10, 1),
      param("dataset.kind", 10, 1),
      param("lr", 10, 3),
      param("method", 10, 2),
      param("seed", 4, 4),
      ...["epoch", "grad_norm", "images_per_sec", "lr", "curriculum/difficulty", "health/std_ratio", "system/cpu_percent"].map((k) => metric(k, 10)),
      metric("loss", 10),
      metric("loss/nt_xent", 10),
      metric("knn_acc", 3),
    ];
    const columns = chooseDefaultColumns(stats, 10);
    expect(keysOf(columns)).toEqual(["param:lr", "param:method", "param:seed", "metric:loss", "metric:loss/nt_xent", "metric:knn_acc"]);
    expect(columns[0].reason).toBe("differs across runs (3 values)");
    expect(columns[3].reason).toBe("logged by 10 of 10 runs");
  });

  it("prefers metrics most runs log over a headline metric few runs log", () => {
    const columns = chooseDefaultColumns([metric("rare_acc", 1), metric("throughput_score", 9), metric("reward", 10), metric("lr", 10)], 10);
    expect(keysOf(columns)).toEqual(["metric:throughput_score", "metric:reward", "metric:rare_acc"]);
    // bookkeeping only when there is nothing else
    expect(keysOf(chooseDefaultColumns([metric("lr", 2), metric("system/cpu_percent", 2)], 2))).toEqual(["metric:lr", "metric:system/cpu_percent"]);
  });

  it("adds evaluation results where present, most common first", () => {
    const stats = [metric("eval/linear_probe/1pct", 4), metric("eval/knn_k20/1pct", 4), metric("eval/raw_linear/1pct", 2), metric("eval/supervised/1pct", 1), metric("eval/fixmatch/1pct", 1)];
    const columns = chooseDefaultColumns(stats, 4);
    expect(keysOf(columns)).toEqual(["metric:eval/knn_k20/1pct", "metric:eval/linear_probe/1pct", "metric:eval/raw_linear/1pct", "metric:eval/fixmatch/1pct"]);
    expect(columns[0].reason).toBe("evaluation result, logged by 4 of 4 runs");
  });

  it("names what the runs are when no param differs (one run), and caps each kind", () => {
    const one = chooseDefaultColumns([param("method.name", 1, 1), param("dataset.kind", 1, 1), param("optimizer.lr", 1, 1), metric("loss", 1)], 1);
    expect(keysOf(one)).toEqual(["param:dataset.kind", "param:method.name", "metric:loss"]);
    expect(one[0].reason).toBe("says what the runs are");
    const many = chooseDefaultColumns(
      Array.from({ length: 40 }, (_, i) => [param(`p${i}`, 5, 2), metric(`m${i}`, 5), metric(`eval/x${i}`, 5)]).flat(),
      5,
    );
    const count = (kind: string, prefix = "") => many.filter((c) => c.kind === kind && c.key.startsWith(prefix)).length;
    expect([count("param"), count("metric") - count("metric", "eval/"), count("metric", "eval/")]).toEqual([
      DEFAULT_COLUMN_LIMITS.params,
      DEFAULT_COLUMN_LIMITS.metrics,
      DEFAULT_COLUMN_LIMITS.evaluations,
    ]);
    expect(chooseDefaultColumns([], 0)).toEqual([]);
  });
});

describe.each(DATABASE_KINDS)("defaultColumns on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("counts the experiment's own runs' params and metrics", async () => {
    let experimentId = 0;
    for (const [i, method] of ["simclr", "byol", "simclr"].entries()) {
      const run = await createRun(t.database, { experiment: "columns", name: `r${i}` });
      experimentId = run.experimentId;
      const points = [
        { key: "epoch", step: 0, value: 0, wallTime: 0 },
        { key: "loss", step: 0, value: 4 - i, wallTime: 0 },
      ];
      await writeBatch(t.database, run.id, { method, batch_size: 256, lr: 0.001 * (i + 1) }, points);
    }
    // another experiment's keys never count
    const other = await createRun(t.database, { experiment: "columns-other", name: "x" });
    await writeBatch(t.database, other.id, { batch_size: 64, arch: "vit" }, [{ key: "eval/linear_probe/1pct", step: 0, value: 0.8, wallTime: 0 }]);

    const columns = await defaultColumns(t.database, experimentId);
    expect(keysOf(columns)).toEqual(["param:lr", "param:method", "metric:loss"]);
    expect(columns[1].reason).toBe("differs across runs (2 values)");
    expect(await defaultColumns(t.database, 987654)).toEqual([]);
  });
});
