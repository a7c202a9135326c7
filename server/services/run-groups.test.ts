import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { createRun, listRuns } from "./runs";
import { writeBatch } from "./metrics";
import { MAX_TRIALS_SHOWN } from "./run-groups";

describe.each(DATABASE_KINDS)("runs table grouped by parent on %s", (kind) => {
  let t: TestDatabase;
  let experimentId: number;
  let sweepId: number;
  let evaluationExperimentId: number;

  /**
   * Experiment "grouped": runs a and b, sweep s with trials s-1..s-3 (loss 3, 1, 2), and an
   * evaluation of a logged in another experiment, which must not nest into this table.
   */
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    const run = async (name: string, parentRunId?: number, loss?: number, experiment = "grouped") => {
      const r = await createRun(t.database, { experiment, name, parentRunId });
      if (loss !== undefined) await writeBatch(t.database, r.id, { lr: loss / 10 }, [{ key: "loss", step: 0, value: loss, wallTime: 0 }]);
      return r;
    };
    const a = await run("a", undefined, 5);
    experimentId = a.experimentId;
    sweepId = (await run("s")).id;
    for (const [i, loss] of [3, 1, 2].entries()) await run(`s-${i + 1}`, sweepId, loss);
    await run("b", undefined, 4);
    evaluationExperimentId = (await run("eval-of-a", a.id, 0.5, "grouped-evaluation")).experimentId;
  });
  afterAll(async () => t?.drop());

  const table = (filter = "", sort = "name", dir: "asc" | "desc" = "asc", pageSize = 50) =>
    listRuns(t.database, experimentId, { filter, sort, dir, pageSize, group: true });

  it("pages over top-level runs and nests each page's trials under their parent, in the table's order", async () => {
    const result = await table();
    expect([result.total, result.runs.map((r) => r.name)]).toEqual([3, ["a", "b", "s"]]);
    expect(result.trials.map((g) => [g.parentRunId, g.total, g.runs.map((r) => r.name)])).toEqual([[sweepId, 3, ["s-1", "s-2", "s-3"]]]);
    expect(result.trials[0].runs[1]).toMatchObject({ params: { lr: 0.1 }, metrics: { loss: 1 } });
    const byLoss = await table("", "metrics.loss", "asc");
    expect(byLoss.runs.map((r) => r.name)).toEqual(["b", "a", "s"]); // the sweep itself logs no loss
    expect(byLoss.trials[0].runs.map((r) => r.name)).toEqual(["s-2", "s-3", "s-1"]);
    // the page holds top-level runs only: trials never push a parent onto the next page
    const first = await table("", "name", "desc", 1);
    expect([first.total, first.runs.map((r) => r.name), first.trials[0].runs.length]).toEqual([3, ["s"], 3]);
  });

  it("shows a matching trial at the top level when its parent does not match", async () => {
    const result = await table("metrics.loss < 2.5");
    expect([result.total, result.runs.map((r) => r.name), result.trials]).toEqual([2, ["s-2", "s-3"], []]);
    const withParent = await table('name like "s%"');
    expect([withParent.runs.map((r) => r.name), withParent.trials[0].runs.map((r) => r.name)]).toEqual([["s"], ["s-1", "s-2", "s-3"]]);
  });

  it("lists a run whose parent lives in another experiment at the top level, and leaves the flat listing alone", async () => {
    const evaluation = await listRuns(t.database, evaluationExperimentId, { group: true });
    expect(evaluation.runs.map((r) => r.name)).toEqual(["eval-of-a"]);
    const flat = await listRuns(t.database, experimentId, { sort: "name", dir: "asc" });
    expect([flat.total, flat.runs.map((r) => r.name).join(" "), flat.trials]).toEqual([6, "a b s s-1 s-2 s-3", []]);
  });

  it(`returns at most ${MAX_TRIALS_SHOWN} trials of a parent, with the count of all`, async () => {
    const big = await createRun(t.database, { experiment: "grouped-big", name: "big-sweep" });
    for (let i = 0; i < MAX_TRIALS_SHOWN + 5; i++) await createRun(t.database, { experiment: "grouped-big", name: `t${i}`, parentRunId: big.id });
    const result = await listRuns(t.database, big.experimentId, { group: true });
    expect([result.total, result.trials[0].total, result.trials[0].runs.length]).toEqual([1, MAX_TRIALS_SHOWN + 5, MAX_TRIALS_SHOWN]);
  });
});
