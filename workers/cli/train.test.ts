import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db";
import { listDatasets } from "@/server/services/datasets";
import { getRun, getRunParams, listExperiments, listRuns } from "@/server/services/runs";
import { listArtifacts } from "@/server/services/artifacts";
import { readSeries } from "@/server/services/series";

const run = promisify(execFile);

describe("pretext train (CLI, embedded database)", () => {
  it("pretrains on Fashion-MNIST and logs run, params, metrics, dataset and encoder", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "pretext-cli-"));
    const { stdout } = await run(
      "node",
      [
        "bin/pretext.mjs", "train", "--config", "workers/engine/configs/fashion-mnist-simclr.json", "--set", "data.limit=512", "--set", "epochs=2", "--set", "batchSize=64",
        "--set", 'evaluation={"fractions": [0.1], "seeds": [0], "atEpochs": [1]}',
      ],
      { env: { ...process.env, PRETEXT_HOME: home, PRETEXT_URL: "" } },
    );
    expect(stdout).toMatch(/finished: 16\/16 steps on fashion-mnist/);
    expect(stdout).toMatch(/queued evaluation runs 2, 3; `pretext worker` runs them/);

    const database = await openDatabase({ dataDir: path.join(home, "db") });
    try {
      const experiments = await listExperiments(database);
      const { runs } = await listRuns(database, experiments.find((e) => e.name === "pretrain")!.id);
      expect(runs).toHaveLength(1);
      const [r] = runs;
      expect(r.status).toBe("finished");
      expect(r.backend).toMatch(/^(wasm|cpu|tensorflow|tensorflow-gpu)$/);
      expect(Object.keys(r.metrics)).toEqual(expect.arrayContaining(["loss", "lr", "images_per_sec", "health/effective_rank"]));
      expect((await getRunParams(database, r.id)).find((p) => p.key === "method.name")?.value).toBe("simclr");
      const loss = await readSeries(database, r.id, "loss");
      expect(loss.points.map((p) => p.step)).toEqual([...Array(16).keys()]);
      expect((await listArtifacts(database, r.id)).map((a) => a.name)).toEqual(expect.arrayContaining(["encoder.ptx", "encoder-epoch-1.ptx"]));
      // the requested evaluation waits in the queue for a worker: one per snapshot and the final encoder
      const evaluations = await Promise.all([2, 3].map((id) => getRun(database, id)));
      expect(evaluations.map((e) => [e.jobKind, e.status, e.parentRunId, e.tags.pretrain_epoch])).toEqual([
        ["evaluate", "queued", r.id, "1"],
        ["evaluate", "queued", r.id, "2"],
      ]);
      expect(evaluations[1].config).toMatchObject({ encoder: { runId: r.id, artifact: "encoder.ptx" }, suite: { fractions: [0.1], dataset: { kind: "fashion-mnist" } } });
      const [dataset] = await listDatasets(database);
      expect(dataset).toMatchObject({ name: "fashion-mnist", hasLabels: true, shape: [28, 28, 1], count: 70_000 });
    } finally {
      await database.close();
    }
  });
});
