/**
 * Ramps on the real serving path: traffic from users through the flag the ramp owns, outcome events,
 * and the guardrails that advance a good candidate to 100 % and roll a harmful one back.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents, encoders } from "@/drizzle/schema";
import { sendPendingEmails } from "@/server/alerts/email";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { Serving } from "@/server/serving/serve";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { startSmtpServer, type TestSmtpServer } from "@/server/testing/smtp";
import { seededRandom } from "@/server/random";
import { getFlag } from "./flags";
import { createOutcomeMetric, eventsInput, logEvents, outcomeMetricInput } from "./outcomes";
import { currentRamp, evaluateRamp, rampAction, rampInput, startRamp, type RampRow } from "./ramp";

let t: TestDatabase;
let serving: Serving;
let smtp: TestSmtpServer;
const pixels = Array.from({ length: 784 }, (_, i) => i % 256);
const random = seededRandom(3);

beforeAll(async () => {
  process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-ramp-test-${process.pid}`;
  t = await openTestDatabase("pglite");
  serving = new Serving(t.database);
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
  await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
  for (let v = 1; v <= 3; v++) await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  const [v1] = await t.database.db.select().from(encoders).where(and(eq(encoders.name, "fm"), eq(encoders.version, 1)));
  await changeStage(t.database, v1.id, { stage: "production", reason: "test" }, "ada");
  await createOutcomeMetric(t.database, outcomeMetricInput.parse({ key: "clicked", kind: "proportion", guardrail: true }), "ada");
}, 120_000);

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp?.stop();
  await serving?.close();
  await t?.drop();
});

/** `users` new users each send a request; they click at `rates[version]`. */
async function traffic(deployment: string, from: number, users: number, rates: Record<number, number>) {
  const events = [];
  for (let i = from; i < from + users; i++) {
    const user = `${deployment}-u${i}`;
    const served = await serving.embed(deployment, { inputs: [pixels] }, user);
    events.push({ metric: "clicked", user, value: random() < rates[served.encoder.version] ? 1 : 0, at: Date.now() + 1 });
  }
  await serving.log.flush();
  await logEvents(t.database, eventsInput.parse({ events }));
}

const latest = async (deployment: string) => (await currentRamp(t.database, deployment))!;
const steps = [0.1, 0.5, 1].map((share) => ({ share, minMinutes: 0, minUsers: 20 }));

describe("a ramp", () => {
  it("takes a good candidate step by step to 100 % of users, and promoting it makes it production", async () => {
    await createDeployment(t.database, { name: "good", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada");
    let ramp: RampRow = await startRamp(t.database, "good", rampInput.parse({ version: 2, steps, guardrails: { maxErrorRate: 0.01, metrics: ["clicked"] } }), "ada");
    serving.invalidate();
    const outcomes: string[] = [];
    for (let round = 0; round < 6 && ramp.status === "running"; round++) {
      await traffic("good", round * 300, 300, { 1: 0.2, 2: 0.2 });
      outcomes.push(await evaluateRamp(t.database, ramp));
      serving.invalidate();
      ramp = (await latest("good")).ramp;
    }
    expect(outcomes).toEqual(["advanced", "advanced", "completed"]);
    const view = await latest("good");
    expect(view.events.map((e) => [e.action, e.share]).reverse()).toEqual([
      ["start", 0.1],
      ["advance", 0.5],
      ["advance", 1],
      ["complete", 1],
    ]);
    expect(view.checks.find((c) => c.guardrail === "clicked")).toMatchObject({ failed: false });
    const flag = await getFlag(t.database, (await t.database.db.query.deployments.findFirst({ where: (d, { eq: is }) => is(d.name, "good") }))!);
    expect(flag!.rules[0]).toMatchObject({ kind: "experiment", versions: [1, 2], weights: [0, 1] });
    await rampAction(t.database, ramp.id, "promote", "ada");
    serving.invalidate();
    expect((await serving.embed("good", { inputs: [pixels] }, "anyone")).encoder.version).toBe(2);
    expect((await latest("good")).ramp.status).toBe("promoted");
  }, 120_000);

  it("rolls a harmful candidate back at the first failing guardrail: one email, one audit entry, everyone on the baseline", async () => {
    await createDeployment(t.database, { name: "harmful", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada");
    // v2 is production now (the test above); v3 halves the clicks
    const ramp = await startRamp(t.database, "harmful", rampInput.parse({ version: 3, steps: steps.slice(1), guardrails: { metrics: ["clicked"] }, recipients: ["owner@example.com"] }), "ada");
    serving.invalidate();
    const before = smtp.received.length;
    let outcome = "held";
    for (let round = 0; round < 8 && outcome !== "rolled_back"; round++) {
      await traffic("harmful", round * 400, 400, { 2: 0.3, 3: 0.1 });
      outcome = await evaluateRamp(t.database, (await latest("harmful")).ramp);
      expect(outcome).not.toBe("advanced"); // never a step further with a harmful candidate
    }
    expect(outcome).toBe("rolled_back");
    const view = await latest("harmful");
    expect(view.ramp.status).toBe("rolled_back");
    expect(view.events[0]).toMatchObject({ action: "rollback", actor: "system" });
    expect(view.events[0].detail).toMatch(/^guardrail failed: clicked -0\.\d+/);
    serving.invalidate();
    expect((await serving.embed("harmful", { inputs: [pixels] }, "harmful-u1")).encoder.version).toBe(2);
    await sendPendingEmails(t.database);
    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe("[Pretext] ramp of fm v3 on harmful rolled back");
    expect(mails[0].text).toMatch(/clicked[\s\S]*<-- failed/);
    expect(mails[0].text).toContain("/deployments/harmful/rollout");
    const audits = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, "ramp.rollback"), eq(auditEvents.objectId, String(ramp.id))));
    expect(audits).toHaveLength(1);
  }, 120_000);

  it("pauses, resumes and rolls back by hand, and refuses what does not fit", async () => {
    await createDeployment(t.database, { name: "manual", encoderName: "fm", sampleRate: 0, retentionDays: 30 }, "ada");
    const ramp = await startRamp(t.database, "manual", rampInput.parse({ version: 3 }), "ada");
    await expect(startRamp(t.database, "manual", rampInput.parse({ version: 3 }), "ada")).rejects.toThrow(/has a ramp in progress/);
    await expect(rampAction(t.database, ramp.id, "resume", "ada")).rejects.toThrow(/^action: a running ramp cannot resume/);
    expect((await rampAction(t.database, ramp.id, "pause", "ada")).status).toBe("paused");
    expect((await rampAction(t.database, ramp.id, "resume", "ada")).status).toBe("running");
    expect((await rampAction(t.database, ramp.id, "rollback", "ada")).status).toBe("rolled_back");
    // a rollback by hand keeps the guardrails as they read then
    expect((await latest("manual")).checks.map((c) => c.guardrail)).toEqual(["error rate"]);
    const flag = await getFlag(t.database, (await t.database.db.query.deployments.findFirst({ where: (d, { eq: is }) => is(d.name, "manual") }))!);
    expect(flag!.rules).toEqual([]);
    await expect(rampAction(t.database, ramp.id, "promote", "ada")).rejects.toThrow(/^action: a rolled back ramp cannot promote/);
    await expect(startRamp(t.database, "manual", rampInput.parse({ version: 2 }), "ada")).rejects.toThrow(/^version: fm v2 is the production version already/);
    await expect(startRamp(t.database, "manual", rampInput.parse({ version: 9 }), "ada")).rejects.toThrow(/no servable version 9/);
    expect((await latest("manual")).ramp.id).toBe(ramp.id); // the refused ramp left nothing behind
    expect(rampInput.safeParse({ version: 3, steps: [{ share: 0.5 }, { share: 0.2 }] }).error?.issues[0].message).toBe("must raise the share at every step");
  }, 60_000);
});
