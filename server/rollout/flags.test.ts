/**
 * A deployment's flag, evaluated by the real GrowthBook SDK: the payload Pretext builds, the
 * assignment the inference path makes with it, and the exposures it records.
 */
import { readFileSync } from "node:fs";
import { GrowthBookClient } from "@growthbook/growthbook";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exposures } from "@/drizzle/schema";
import { describeZodError } from "@/server/errors";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { Serving } from "@/server/serving/serve";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { featureDefinition, flagInput, previewAssignments, setFlag } from "./flags";

const payloadOf = (rules: Parameters<typeof featureDefinition>[0], defaultVersion = 1) => ({ features: { fm: featureDefinition(rules, defaultVersion) } });
const evaluate = (payload: ReturnType<typeof payloadOf>, id: string | undefined) => new GrowthBookClient().initSync({ payload }).evalFeature<number>("fm", { attributes: id === undefined ? {} : { id } });
const users = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);

describe("the payload, evaluated by the GrowthBook SDK", () => {
  const experiment = (more: Partial<Extract<Parameters<typeof featureDefinition>[0][number], { kind: "experiment" }>> = {}) => ({
    kind: "experiment" as const,
    id: "r0",
    key: "v2-test",
    versions: [1, 2],
    weights: [0.5, 0.5],
    coverage: 1,
    hashAttribute: "id",
    seed: null,
    ...more,
  });

  it("buckets as GrowthBook's own test case: seed feature, user 123, hash 0.5231 -> the second variation", () => {
    const r = evaluate(payloadOf([experiment({ seed: "feature", coverage: 0.99 })]), "123");
    expect([r.value, r.source, r.experimentResult?.variationId, r.experimentResult?.bucket]).toEqual([2, "experiment", 1, 0.5231]);
  });

  it("assigns each user the same version every time, and honours the weights within binomial bounds", () => {
    const payload = payloadOf([experiment({ versions: [1, 2, 3], weights: [0.2, 0.3, 0.5] })]);
    const n = 10_000;
    const counts = new Map<number | null, number>();
    for (const id of users(n)) {
      const v = evaluate(payload, id).value;
      expect(evaluate(payload, id).value).toBe(v);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const [version, w] of [[1, 0.2], [2, 0.3], [3, 0.5]] as const) {
      const bound = 4 * Math.sqrt(n * w * (1 - w));
      expect(Math.abs(counts.get(version)! - n * w)).toBeLessThan(bound);
    }
  });

  it("takes `coverage` of users into an experiment and lets the rest fall through to the production version", () => {
    const payload = payloadOf([experiment({ coverage: 0.2 })], 7);
    const results = users(10_000).map((id) => evaluate(payload, id));
    const inExperiment = results.filter((r) => r.source === "experiment").length;
    expect(Math.abs(inExperiment - 2000)).toBeLessThan(4 * Math.sqrt(10_000 * 0.2 * 0.8));
    expect(results.filter((r) => r.source !== "experiment").every((r) => r.value === 7)).toBe(true);
  });

  it("rolls a version out to `coverage` of users with a force rule, and the first matching rule wins", () => {
    const payload = payloadOf([
      { kind: "force", id: "r0", version: 3, coverage: 0.1, hashAttribute: "id", seed: "canary" },
      experiment(),
    ]);
    const values = users(10_000).map((id) => evaluate(payload, id).value);
    const forced = values.filter((v) => v === 3).length;
    expect(Math.abs(forced - 1000)).toBeLessThan(4 * Math.sqrt(10_000 * 0.1 * 0.9));
    expect(values.filter((v) => v !== 3).every((v) => v === 1 || v === 2)).toBe(true);
  });

  it("reshuffles users with another seed, and leaves a user without the hash attribute out", () => {
    const a = payloadOf([experiment({ seed: "a" })]);
    const b = payloadOf([experiment({ seed: "b" })]);
    const differ = users(1000).filter((id) => evaluate(a, id).value !== evaluate(b, id).value).length;
    expect(differ).toBeGreaterThan(400);
    expect(differ).toBeLessThan(600);
    expect(evaluate(a, undefined)).toMatchObject({ value: 1, source: "defaultValue" });
  });

  it("refuses bad rules with the field and the reason", () => {
    const error = (rules: unknown) => {
      const r = flagInput.safeParse({ rules });
      return r.success ? "accepted" : describeZodError(r.error);
    };
    expect(error([{ kind: "experiment", key: "k", versions: [1] }])).toMatch(/^rules\.0\.versions: must list at least two versions/);
    expect(error([{ kind: "experiment", key: "k", versions: [1, 1] }])).toMatch(/^rules\.0\.versions: must not repeat a version/);
    expect(error([{ kind: "experiment", key: "k", versions: [1, 2], weights: [0.5, 0.6] }])).toMatch(/^rules\.0\.weights: must sum to 1, got 1\.1/);
    expect(error([{ kind: "experiment", key: "k", versions: [1, 2], weights: [1] }])).toMatch(/^rules\.0\.weights: must hold one weight per version \(2\)/);
    expect(error([{ kind: "force", version: 0 }])).toMatch(/^rules\.0\.version: must be an encoder version/);
    expect(error([{ kind: "force", version: 1, coverage: 1.5 }])).toMatch(/^rules\.0\.coverage: must be a share of users from 0 to 1/);
    expect(error([{ kind: "force", version: 1, hashAttribute: "a b" }])).toMatch(/^rules\.0\.hashAttribute: must be an attribute name/);
    expect(error([{ kind: "canary", version: 1 }])).toMatch(/^rules\.0\.kind: must be \{"kind": "force"/);
  });
});

describe("the inference path with a flag", () => {
  let t: TestDatabase;
  let serving: Serving;
  const pixels = Array.from({ length: 784 }, (_, i) => i % 256);

  beforeAll(async () => {
    process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-flags-test-${process.pid}`;
    t = await openTestDatabase("pglite");
    serving = new Serving(t.database);
    const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
    await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
    const v1 = await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
    await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
    await changeStage(t.database, v1.id, { stage: "production", reason: "test" }, "ada");
    await createDeployment(t.database, { name: "fm-ab", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada");
  }, 120_000);

  afterAll(async () => {
    await serving?.close();
    await t?.drop();
  });

  it("serves each user the version the SDK assigns, says which experiment chose it, and records the exposures in bulk", async () => {
    await setFlag(t.database, "fm-ab", flagInput.parse({ rules: [{ kind: "experiment", key: "v2-vs-v1", versions: [1, 2] }] }), "ada");
    serving.invalidate();
    const ids = users(200);
    const expected = await previewAssignments(t.database, "fm-ab", { users: ids });
    const served = [];
    for (const id of ids) served.push(await serving.embed("fm-ab", { inputs: [pixels] }, id));
    expect(served.map((s) => s.encoder.version)).toEqual(expected.map((e) => e.version));
    expect(new Set(served.map((s) => s.encoder.version))).toEqual(new Set([1, 2]));
    expect(served.every((s, i) => s.experiment?.key === "v2-vs-v1" && s.experiment.variationId === expected[i].experiment?.variationId)).toBe(true);
    await serving.log.flush();
    const rows = await t.database.db.select().from(exposures);
    expect(rows).toHaveLength(200);
    expect(rows.map((r) => [r.userId, r.version, r.variationId])).toEqual(ids.map((id, i) => [id, expected[i].version, expected[i].experiment!.variationId]));
  });

  it("serves the production version to a request without a user, and rejects bad attributes and unknown versions", async () => {
    expect((await serving.embed("fm-ab", { inputs: [pixels] })).encoder.version).toBe(1);
    await expect(serving.embed("fm-ab", { inputs: [pixels], attributes: { plan: { nested: 1 } } }, "u")).rejects.toThrow(/^attributes\.plan: must be a string, number or boolean/);
    await expect(serving.embed("fm-ab", { inputs: [pixels] }, "u".repeat(501))).rejects.toThrow(/^x-pretext-user: must be at most 500 characters/);
    await expect(setFlag(t.database, "fm-ab", flagInput.parse({ rules: [{ kind: "force", version: 9 }] }), "ada")).rejects.toThrow(/^rules: encoder fm has no servable version 9/);
    await expect(setFlag(t.database, "nope", flagInput.parse({ rules: [] }), "ada")).rejects.toThrow(/deployment "nope" not found/);
  });

  it("rolls out a version to everyone with a force rule, and back to production when the rules are cleared", async () => {
    await setFlag(t.database, "fm-ab", flagInput.parse({ rules: [{ kind: "force", version: 2 }] }), "ada");
    serving.invalidate();
    expect((await serving.embed("fm-ab", { inputs: [pixels] }, "anyone")).encoder.version).toBe(2);
    await setFlag(t.database, "fm-ab", flagInput.parse({ rules: [] }), "ada");
    serving.invalidate();
    const back = await serving.embed("fm-ab", { inputs: [pixels] }, "anyone");
    expect([back.encoder.version, back.experiment]).toEqual([1, undefined]);
  });
});
