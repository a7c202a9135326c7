/**
 * What e2e/bad-input.test.ts found at the services: numbers past a PostgreSQL `integer` refused
 * with a 400 naming the field (they were 500s from SQL), registration errors naming the field the
 * caller sent, and unknown ids answered with a 404 rather than an empty list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerEncoder } from "@/server/registry/encoders";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { uploadArtifact } from "./artifacts";
import { listAttempts } from "./attempts";
import { listBenchmarkResults, recordBenchmarkResults } from "./benchmarks";
import { registerDataset } from "./datasets";
import { createRun } from "./runs";

const PAST_INTEGER = 2_147_483_648;

describe.each(DATABASE_KINDS)("input limits of the services on %s", (kind) => {
  let t: TestDatabase;
  let runId: number;
  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-input-limits-test-${process.pid}`;
    t = await openTestDatabase(kind);
    runId = (await createRun(t.database, { experiment: "limits" })).id;
  });
  afterAll(async () => t?.drop());

  it("refuses numbers an integer column cannot hold, naming the field, and stores nothing", async () => {
    const dataset = { name: "ds", source: "x", format: "idx", checksum: "a".repeat(32), shape: [28, 28], count: 10, hasLabels: true };
    await expect(registerDataset(t.database, { ...dataset, count: PAST_INTEGER })).rejects.toMatchObject({ status: 400, message: "count: must be at most 2147483647" });
    await expect(registerDataset(t.database, { ...dataset, numClasses: PAST_INTEGER })).rejects.toMatchObject({ status: 400, message: "numClasses: must be at most 2147483647" });
    const result = { encoderId: null, benchmark: "b", method: "m", labelFraction: 0.1, seed: PAST_INTEGER, metric: "acc", value: 0.5 };
    await expect(recordBenchmarkResults(t.database, runId, [result])).rejects.toMatchObject({ status: 400, message: "results.0.seed: must be at most 2147483647" });
    await expect(registerEncoder(t.database, { name: "e", runId, architecture: "a", embeddingDim: PAST_INTEGER })).rejects.toMatchObject({
      status: 400,
      message: "embeddingDim: must be at most 2147483647",
    });
    expect(await listBenchmarkResults(t.database, { runId })).toEqual([]);
  });

  it("names the field of a registration's artifact, and a changed dataset checksum", async () => {
    for (const artifactName of ["../../etc/passwd", "/etc/passwd", "..\\x", "'; drop table runs; --"]) {
      await expect(registerEncoder(t.database, { name: "e", runId, artifactName })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^artifactName: /) });
    }
    await uploadArtifact(t.database, runId, "notes.txt", "file", new TextEncoder().encode("not a model"));
    await expect(registerEncoder(t.database, { name: "e", runId, artifactName: "notes.txt" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^artifactName: notes.txt is not an ONNX model \(/),
    });
    const dataset = { name: "fixed", source: "x", format: "idx", checksum: "a".repeat(32), shape: [2], count: 1, hasLabels: false };
    await registerDataset(t.database, dataset);
    await expect(registerDataset(t.database, { ...dataset, checksum: "b".repeat(32) })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/^checksum: dataset fixed is registered with checksum a+, not b+$/) });
  });

  it("answers 404 for the attempts and benchmark results of a run or encoder that does not exist", async () => {
    expect(await listAttempts(t.database, runId)).toEqual([]);
    await expect(listAttempts(t.database, 99_999)).rejects.toMatchObject({ status: 404, message: "run 99999 not found" });
    expect(await listBenchmarkResults(t.database, { runId })).toEqual([]);
    await expect(listBenchmarkResults(t.database, { runId: 99_999 })).rejects.toMatchObject({ status: 404, message: "run 99999 not found" });
    await expect(listBenchmarkResults(t.database, { encoderId: 99_999 })).rejects.toMatchObject({ status: 404, message: "encoder 99999 not found" });
  });
});
