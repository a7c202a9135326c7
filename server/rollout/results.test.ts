import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exposures } from "@/drizzle/schema";
import { describeZodError } from "@/server/errors";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { seededRandom } from "@/server/random";
import { flagInput, setFlag } from "./flags";
import { createOutcomeMetric, eventsInput, logEvents, outcomeMetricInput } from "./outcomes";
import { experimentResults, liftOverTime } from "./results";

let t: TestDatabase;
let deploymentId: number;
const T0 = Date.parse("2026-12-01T00:00:00Z");

beforeAll(async () => {
  process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-results-test-${process.pid}`;
  t = await openTestDatabase("pglite");
  const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
  await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
  const v1 = await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  await changeStage(t.database, v1.id, { stage: "production", reason: "test" }, "ada");
  deploymentId = (await createDeployment(t.database, { name: "fm-ab", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada")).id;
  await setFlag(t.database, "fm-ab", flagInput.parse({ rules: [{ kind: "experiment", key: "ab", versions: [1, 2] }] }), "ada");
  for (const m of [
    { key: "clicked", kind: "proportion" },
    { key: "latency_ms", kind: "mean", goal: "decrease", guardrail: true },
  ]) {
    await createOutcomeMetric(t.database, outcomeMetricInput.parse(m), "ada");
  }
}, 120_000);

afterAll(async () => {
  await t?.drop();
});

/** `users` users split 50/50 (or by `share`), clicking at 10 % (v1) and 10 % × (1 + lift) (v2), exposed at T0 + i ms. */
async function plant(key: string, users: number, lift: number, share = 0.5, seed = 1) {
  const random = seededRandom(seed);
  const rows = [];
  const events = [];
  for (let i = 0; i < users; i++) {
    const variation = random() < share ? 1 : 0;
    const user = `${key}-${i}`;
    rows.push({ deploymentId, experimentKey: key, variationId: variation, version: variation + 1, userId: user, at: new Date(T0 + i) });
    if (random() < 0.1 * (variation ? 1 + lift : 1)) events.push({ metric: "clicked", user, value: 1, at: T0 + i + 1000 });
    events.push({ metric: "latency_ms", user, value: 20 + 4 * random(), at: T0 + i + 1000 });
  }
  for (let i = 0; i < rows.length; i += 5000) await t.database.db.insert(exposures).values(rows.slice(i, i + 5000));
  for (let i = 0; i < events.length; i += 10_000) await logEvents(t.database, eventsInput.parse({ events: events.slice(i, i + 10_000) }));
}

describe("experiment results", () => {
  it("count each user once, in the variation of their first exposure, with only the events after it", async () => {
    await plant("once", 200, 0);
    // user once-0 seen again later in the other variation; an event before any exposure of a new user
    const [first] = await t.database.db.insert(exposures).values({ deploymentId, experimentKey: "once", variationId: 1, version: 2, userId: "once-0", at: new Date(T0 + 10_000) }).returning();
    expect(first.userId).toBe("once-0");
    await logEvents(t.database, eventsInput.parse({ events: [{ metric: "clicked", user: "late", value: 1, at: T0 - 1 }] }));
    await t.database.db.insert(exposures).values({ deploymentId, experimentKey: "once", variationId: 0, version: 1, userId: "late", at: new Date(T0) });
    const r = await experimentResults(t.database, "fm-ab", "once");
    expect(r.variations.reduce((s, v) => s + v.users, 0)).toBe(201);
    const clicked = r.metrics.find((m) => m.key === "clicked")!;
    expect(clicked.variations.reduce((s, v) => s + v.users, 0)).toBe(201);
    expect(clicked.variations.map((v) => v.version)).toEqual([1, 2]);
  });

  it("find a planted +30 % lift in clicks on 20,000 users, with the sequential CI wider than the fixed one, and no SRM", async () => {
    await plant("lift", 20_000, 0.3);
    const r = await experimentResults(t.database, "fm-ab", "lift");
    expect(r.srm.health).toBe("healthy");
    const [control, treatment] = r.metrics.find((m) => m.key === "clicked")!.variations;
    expect(control.comparison).toBeUndefined();
    const c = treatment.comparison!;
    expect(c.ci[0]).toBeLessThan(0.3);
    expect(c.ci[1]).toBeGreaterThan(0.3);
    expect(c.pValue).toBeLessThan(0.001);
    expect(c.chanceToWin).toBeGreaterThan(0.99);
    expect(c.sequential!.ci[1] - c.sequential!.ci[0]).toBeGreaterThan(c.ci[1] - c.ci[0]);
    // latency is the same in both: a guardrail that does not move, lower being better
    const latency = r.metrics.find((m) => m.key === "latency_ms")!;
    expect(latency.guardrail).toBe(true);
    expect(latency.variations[1].comparison!.pValue).toBeGreaterThan(0.001);
    expect(latency.variations[0].mean).toBeGreaterThan(20);
  }, 60_000);

  it("draw the cumulative lift over the experiment's life, its band narrowing as users arrive", async () => {
    const series = await liftOverTime(t.database, "fm-ab", "lift", "clicked", 5);
    expect(series.map((p) => p.users)).toEqual([4000, 8000, 12_000, 16_000, 20_000]);
    const widths = series.map((p) => p.variations[0].ci[1] - p.variations[0].ci[0]);
    expect(widths.every((w, i) => i === 0 || w < widths[i - 1])).toBe(true);
    expect(series.at(-1)!.variations[0].lift).toBeCloseTo((await experimentResults(t.database, "fm-ab", "lift")).metrics[0].variations[1].comparison!.effect, 12);
  });

  it("flag a 48/52 split of 20,000 users as a sample-ratio mismatch", async () => {
    await plant("srm", 20_000, 0, 0.52, 2);
    const r = await experimentResults(t.database, "fm-ab", "srm");
    expect(r.srm.health).toBe("unhealthy");
    expect(r.srm.pValue).toBeLessThan(0.001);
    expect(r.variations.map((v) => v.expectedShare)).toEqual([0.5, 0.5]);
  }, 60_000);

  it("refuse bad events and metrics with the field and the reason, storing nothing", async () => {
    const error = (schema: typeof eventsInput | typeof outcomeMetricInput, value: unknown) => {
      const r = schema.safeParse(value);
      return r.success ? "accepted" : describeZodError(r.error);
    };
    expect(error(eventsInput, { events: [] })).toMatch(/^events: must hold at least one event/);
    expect(error(eventsInput, { events: [{ metric: "clicked", user: "u", value: Number.NaN }] })).toMatch(/^events\.0\.value: must be a finite number/);
    expect(error(eventsInput, { events: [{ metric: "clicked", user: "", value: 1 }] })).toMatch(/^events\.0\.user: must not be empty/);
    expect(error(outcomeMetricInput, { key: "k", kind: "median" })).toMatch(/^kind: must be "mean" or "proportion"/);
    await expect(logEvents(t.database, eventsInput.parse({ events: [{ metric: "clicked", user: "u", value: 1 }, { metric: "nope", user: "u", value: 1 }] }))).rejects.toThrow(/^events\.1\.metric: no metric "nope"/);
    await expect(createOutcomeMetric(t.database, outcomeMetricInput.parse({ key: "clicked", kind: "mean" }), "ada")).rejects.toThrow(/^key: a metric "clicked" exists already/);
    await expect(experimentResults(t.database, "nope", "ab")).rejects.toThrow(/deployment "nope" not found/);
    await expect(experimentResults(t.database, "fm-ab", "never-ran")).rejects.toThrow(/^experiment "never-ran" of deployment fm-ab not found/);
  });
});
