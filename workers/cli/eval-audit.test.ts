import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db";
import { listArtifacts } from "@/server/services/artifacts";
import { listBenchmarkResults } from "@/server/services/benchmarks";
import { listEncoders } from "@/server/registry/encoders";
import { initBackend } from "@/workers/engine/backend";
import { buildEncoder } from "@/workers/engine/models/encoder";
import { ParamSet } from "@/workers/engine/models/param-set";
import { encodeTensorFile } from "@/workers/engine/models/tensor-file";
import { Rng } from "@/workers/engine/rng";
import { TINY_SUITE_RESULTS, tinyEvalSuite } from "@/workers/engine/test-support/tiny-configs";

const exec = promisify(execFile);

/** A randomly initialised MLP encoder file, as `pretext train --out` writes it. */
async function writeEncoderFile(file: string) {
  const params = new ParamSet();
  const encoder = { kind: "mlp" as const, hidden: [32], embeddingDim: 16 };
  buildEncoder(encoder, [28, 28, 1], params, "encoder", new Rng(5));
  const meta = { kind: "pretext-encoder", encoder, inputShape: [28, 28, 1], outDim: 16, method: "simclr", dataset: { name: "fashion-mnist", checksum: "x" }, steps: 0 };
  writeFileSync(file, await encodeTensorFile(meta, Object.fromEntries(params.entries())));
  params.dispose();
}

const SUITE = tinyEvalSuite({ trainLimit: 400 });

describe("pretext eval and pretext audit (CLI, embedded database)", () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "pretext-cli-eval-"));
  const env = { ...process.env, PRETEXT_HOME: home, PRETEXT_URL: "" };
  const pretext = (...args: string[]) => exec("node", ["bin/pretext.mjs", ...args], { env });

  beforeAll(async () => {
    await initBackend("cpu");
    await writeEncoderFile(path.join(home, "encoder.ptx"));
    writeFileSync(path.join(home, "suite.json"), JSON.stringify(SUITE));
  });

  it("evaluates an encoder file, then the encoder it registered by id; audits a dataset", async () => {
    const first = await pretext("eval", "--encoder", path.join(home, "encoder.ptx"), "--suite", path.join(home, "suite.json"), "--name", "cli-encoder");
    expect(first.stdout).toMatch(/^linear_probe\s+\d+\.\d ± 0\.0$/m);
    expect(first.stdout).toMatch(new RegExp(`finished: ${TINY_SUITE_RESULTS} results for label-efficiency/fashion-mnist, logged to run 1 \\(encoder 1\\)`));

    const second = await pretext("eval", "--encoder", "1", "--suite", path.join(home, "suite.json"), "--set", "knn.k=[3]");
    expect(second.stdout).toMatch(/logged to run 2 \(encoder 1\)/);
    expect(second.stdout).toMatch(/^knn_k3\s/m);

    await expect(pretext("eval", "--encoder", "99", "--suite", path.join(home, "suite.json"))).rejects.toMatchObject({ stderr: expect.stringMatching(/encoder 99 not found/) });

    const audit = await pretext("audit", "--dataset", "fashion-mnist", "--max-near", "200");
    expect(audit.stdout).toMatch(/dataset fashion-mnist: 60000 train \/ 10000 test/);
    expect(audit.stdout).toMatch(/logged to run 4 \(artifact audit.json\)/);

    const database = await openDatabase({ dataDir: path.join(home, "db") });
    try {
      expect((await listEncoders(database, { name: "cli-encoder" })).map((e) => e.version)).toEqual([1]);
      const byId = await listBenchmarkResults(database, { runId: 2 });
      expect(byId).toHaveLength(TINY_SUITE_RESULTS);
      expect(byId.filter((r) => r.encoderId !== null).every((r) => r.encoderId === 1)).toBe(true);
      expect((await listArtifacts(database, 4)).map((a) => a.name)).toContain("audit.json");
    } finally {
      await database.close();
    }
  });
});
