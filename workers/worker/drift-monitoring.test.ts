/**
 * Drift monitoring end to end on real parts: a production encoder served by onnxruntime (or tfjs),
 * Fashion-MNIST traffic through the serving path and its request log, checks after each window,
 * alert rules, and the emails arriving at a real SMTP server in this process.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { alertEmails, alertEvents, alertRules, driftMonitors } from "@/drizzle/schema";
import { sendPendingEmails } from "@/server/alerts/email";
import { createRule, ruleInput } from "@/server/alerts/rules";
import { checkMonitor } from "@/server/drift/check";
import { createMonitor, listResults, monitorInput } from "@/server/drift/monitors";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { Serving } from "@/server/serving/serve";
import { openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { startSmtpServer, type TestSmtpServer } from "@/server/testing/smtp";
import { permutation, seededRandom } from "@/server/random";
import { applyShift, type Shift } from "@/workers/engine/data/shift";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { createQueue } from "@/server/jobs/queue";
import { dueMonitors, queueCheck } from "@/server/drift/schedule";
import { waitFor } from "@/server/testing/wait-for";
import { loadReferenceData } from "./scheduled-tasks";
import { startWorker } from "./worker";

const WINDOW = 200;
const WINDOWS = 20;

let t: TestDatabase;
let serving: Serving;
let smtp: TestSmtpServer;
let images: Uint8Array;
let order: Int32Array;

beforeAll(async () => {
  process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-drift-test-${process.pid}`;
  t = await openTestDatabase("pglite");
  serving = new Serving(t.database);
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  const run = await createRun(t.database, { experiment: "pretrain", status: "finished" });
  await uploadArtifact(t.database, run.id, "encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
  const encoder = await registerEncoder(t.database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
  await changeStage(t.database, encoder.id, { stage: "production", reason: "test" }, "ada");
  images = (await loadDataset({ kind: "fashion-mnist" })).test!.x as Uint8Array;
  order = permutation(10_000, seededRandom(7));
}, 120_000);

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp?.stop();
  await serving?.close();
  await t?.drop();
});

/** A deployment with an embedding monitor against Fashion-MNIST's training images, and a rule on the MMD p-value. */
async function monitored(name: string) {
  await createDeployment(t.database, { name, encoderName: "fm", sampleRate: 1, retentionDays: 30 }, "ada");
  const monitor = await createMonitor(
    t.database,
    monitorInput.parse({ deployment: name, name: "embeddings", target: "embedding", tests: ["mmd", "ks"], reference: { kind: "dataset", data: "fashion-mnist", split: "train", size: 1000 }, window: { kind: "count", size: WINDOW } }),
    "ada",
  );
  const rule = await createRule(
    t.database,
    ruleInput.parse({ monitorId: monitor.id, name: "embedding drift", figure: "mmd.p_value", direction: "below", threshold: 0.01, consecutive: 2, recipients: ["owner@example.com"] }),
    "ada",
  );
  return { monitor, rule };
}

/** Serves window `w` (200 test images, the shift applied when given), then runs the check and the mailer as the scheduled jobs would. */
async function serveWindow(deployment: string, monitorId: number, w: number, shift?: Shift) {
  for (let b = 0; b < WINDOW; b += 50) {
    const ids = order.subarray(w * WINDOW + b, w * WINDOW + b + 50);
    let raw: Float32Array = new Float32Array(ids.length * 784);
    ids.forEach((id, i) => raw.set(images.subarray(id * 784, (id + 1) * 784), i * 784));
    if (shift) raw = applyShift(raw, ids.length, [28, 28, 1], shift, seededRandom(w), [0, 255]);
    const inputs = Array.from({ length: ids.length }, (_, i) => Array.from(raw.subarray(i * 784, (i + 1) * 784)));
    await serving.embed(deployment, { inputs });
  }
  await serving.log.flush();
  await checkMonitor(t.database, monitorId, { loadData: loadReferenceData });
  await sendPendingEmails(t.database);
}

const eventsOf = (ruleId: number) => t.database.db.select().from(alertEvents).where(eq(alertEvents.ruleId, ruleId)).orderBy(alertEvents.id);

describe("an embedding monitor on Fashion-MNIST traffic", () => {
  it("sees 20 windows without drift and raises no alert", async () => {
    const { monitor, rule } = await monitored("fm-steady");
    for (let w = 0; w < WINDOWS; w++) await serveWindow("fm-steady", monitor.id, w);
    const results = await listResults(t.database, monitor.id);
    expect(results.map((r) => r.windowIndex)).toEqual([...Array(WINDOWS).keys()]);
    expect(results.every((r) => r.currentSamples === WINDOW && r.referenceSamples === 1000)).toBe(true);
    const pValues = results.map((r) => r.figures["mmd.p_value"]);
    console.log(`no drift: MMD p-values ${pValues.join(" ")}; KS (Bonferroni) ${results.map((r) => r.figures["ks.p_value"].toFixed(2)).join(" ")}`);
    expect(await eventsOf(rule.id)).toEqual([]);
    expect(smtp.received).toEqual([]);
  }, 300_000);

  it("emails once, within two windows, for brightness +0.3 in windows 5-12, and resolves after it", async () => {
    const { monitor, rule } = await monitored("fm-drift");
    const before = smtp.received.length;
    for (let w = 0; w < WINDOWS; w++) await serveWindow("fm-drift", monitor.id, w, w >= 5 && w <= 12 ? { kind: "brightness", amount: 0.3 } : undefined);
    const results = await listResults(t.database, monitor.id);
    console.log(`drift in 5-12: MMD p-values ${results.map((r) => r.figures["mmd.p_value"]).join(" ")}`);
    const events = await eventsOf(rule.id);
    expect(events.map((e) => [e.fromState, e.toState])).toEqual([
      ["ok", "firing"],
      ["firing", "resolved"],
    ]);
    expect(events[0].windowIndex).toBeLessThanOrEqual(6); // onset 5: within two windows
    expect(events[1].windowIndex).toBeGreaterThan(12);
    expect(events[1].windowIndex).toBeLessThanOrEqual(14);
    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(["owner@example.com"]);
    expect(mails[0].subject).toMatch(/^\[Pretext\] drift on fm-drift: embeddings mmd\.p_value 0 < 0\.01$/);
    expect(mails[0].text).toContain(`Monitor: http://localhost:3000/deployments/fm-drift/monitors/${monitor.id}`);
    expect(mails[0].text).toMatch(/Since: 20\d\d-/);
    const [state] = await t.database.db.select().from(alertRules).where(eq(alertRules.id, rule.id));
    expect(state.state).toBe("resolved");
  }, 300_000);

  it("keeps the alert and the results while SMTP is down, and delivers the email when it is back (back-off)", async () => {
    const { monitor, rule } = await monitored("fm-smtp-down");
    await smtp.stop();
    const before = smtp.received.length;
    try {
      for (let w = 0; w < 3; w++) await serveWindow("fm-smtp-down", monitor.id, 40 + w, { kind: "brightness", amount: 0.3 });
    } finally {
      await smtp.start();
    }
    expect(await listResults(t.database, monitor.id)).toHaveLength(3);
    const [firing] = await eventsOf(rule.id);
    expect(firing).toMatchObject({ toState: "firing", windowIndex: 1 });
    const [pending] = await t.database.db.select().from(alertEmails).where(eq(alertEmails.eventId, firing.id));
    expect(pending).toMatchObject({ status: "pending", attempts: 1 }); // window 2's mailer found it not yet due
    expect(pending.lastError).toMatch(/ECONNREFUSED|connect/i);
    // the next attempt waits its back-off; after it, the email goes out once
    expect(await sendPendingEmails(t.database)).toEqual({ sent: 0, failed: 0 });
    expect(await sendPendingEmails(t.database, new Date(pending.nextAttemptAt.getTime() + 1))).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.slice(before)).toHaveLength(1);
    const [sent] = await t.database.db.select().from(alertEmails).where(eq(alertEmails.eventId, firing.id));
    expect(sent).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  }, 300_000);
});

describe("a monitor with time windows and a period of traffic as its reference", () => {
  it("tests the windows that have ended and reports empty ones as too few samples, not as no drift", async () => {
    await createDeployment(t.database, { name: "fm-time", encoderName: "fm", sampleRate: 1, retentionDays: 30 }, "ada");
    const send = async (from: number, n: number) => {
      await serving.embed("fm-time", { inputs: Array.from({ length: n }, (_, i) => Array.from(images.subarray(order[from + i] * 784, (order[from + i] + 1) * 784))) });
      await serving.log.flush();
    };
    const from = new Date();
    await send(0, 300);
    const to = new Date();
    const monitor = await createMonitor(
      t.database,
      monitorInput.parse({ deployment: "fm-time", name: "by the minute", target: "embedding", tests: ["mmd"], reference: { kind: "traffic", from: from.toISOString(), to: to.toISOString() }, window: { kind: "time", minutes: 1 }, schedule: null }),
      "ada",
    );
    await send(300, 150);
    expect(await checkMonitor(t.database, monitor.id)).toEqual([]); // the first minute has not ended
    const results = await checkMonitor(t.database, monitor.id, { now: new Date(monitor.createdAt.getTime() + 3 * 60_000 + 1000) });
    expect(results.map((r) => [r.windowIndex, r.status, r.currentSamples, r.referenceSamples])).toEqual([
      [0, "ok", 150, 300],
      [1, "too_few_samples", 0, 0],
      [2, "too_few_samples", 0, 0],
    ]);
    expect(results[1].detail).toBe("the window holds 0 samples; the monitor needs at least 100");
    expect(results[1].windowStart.getTime() - results[0].windowStart.getTime()).toBe(60_000);
    // a dataset reference needs a worker (the app cannot read datasets)
    const dataset = await createMonitor(t.database, monitorInput.parse({ deployment: "fm-time", name: "dataset", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "time", minutes: 1 } }), "ada");
    await send(450, 150);
    await expect(checkMonitor(t.database, dataset.id, { now: new Date(dataset.createdAt.getTime() + 61_000) })).rejects.toThrow(/only a worker can read/);
    const [failed] = await t.database.db.select().from(driftMonitors).where(eq(driftMonitors.id, dataset.id));
    expect(failed.lastCheckError).toMatch(/only a worker can read/);
  }, 120_000);
});

describe("scheduled checks", () => {
  it("are due when a monitor's cron falls in the minute of the tick", async () => {
    await createDeployment(t.database, { name: "fm-cron", encoderName: "fm", sampleRate: 1, retentionDays: 30 }, "ada");
    const base = { deployment: "fm-cron", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "count", size: 100 } };
    const every5 = await createMonitor(t.database, monitorInput.parse({ ...base, name: "every 5", schedule: "*/5 * * * *" }), "ada");
    const hourly = await createMonitor(t.database, monitorInput.parse({ ...base, name: "hourly", schedule: "0 * * * *" }), "ada");
    await createMonitor(t.database, monitorInput.parse({ ...base, name: "on demand", schedule: null }), "ada");
    const mine = (ids: number[]) => ids.filter((id) => [every5.id, hourly.id].includes(id) || id > hourly.id);
    expect(mine(await dueMonitors(t.database, new Date("2026-12-01T10:00:20Z")))).toEqual([every5.id, hourly.id]);
    expect(mine(await dueMonitors(t.database, new Date("2026-12-01T10:05:00Z")))).toEqual([every5.id]);
    expect(mine(await dueMonitors(t.database, new Date("2026-12-01T10:07:59Z")))).toEqual([]);
  });

  it("run as queue jobs: a worker takes a queued check and stores the windows", async () => {
    const queue = await createQueue(t.database);
    const worker = await startWorker({ database: t.database, queue, log: () => {} });
    try {
      expect((await queue.getSchedules()).map((s) => [s.name, s.cron, s.data])).toContainEqual(["scheduled", "* * * * *", { task: "tick" }]);
      await createDeployment(t.database, { name: "fm-queued", encoderName: "fm", sampleRate: 1, retentionDays: 30 }, "ada");
      const monitor = await createMonitor(
        t.database,
        // PSI needs a few hundred samples a side: without drift it averages about (bins − 1)(1/n + 1/m)
        monitorInput.parse({ deployment: "fm-queued", name: "m", target: "input", tests: ["ks", "psi"], reference: { kind: "dataset", data: "fashion-mnist", size: 1000 }, window: { kind: "count", size: 200 }, schedule: null }),
        "ada",
      );
      const inputs = Array.from({ length: 400 }, (_, i) => Array.from(images.subarray(order[i] * 784, (order[i] + 1) * 784)));
      await serving.embed("fm-queued", { inputs });
      await serving.log.flush();
      const jobId = await queueCheck(queue, monitor.id);
      expect(jobId).toEqual(expect.any(String));
      const results = await waitFor("two windows", async () => {
        const r = await listResults(t.database, monitor.id);
        return r.length === 2 && r;
      }, 60_000);
      expect(results.map((r) => [r.status, r.currentSamples, r.referenceSamples, r.detail])).toEqual([
        ["ok", 200, 1000, ""],
        ["ok", 200, 1000, ""],
      ]);
      expect(Object.keys(results[0].figures).sort()).toEqual(["input.mean", "input.mean_shift", "input.missing_rate", "input.std", "ks.drifted_share", "ks.p_value", "psi.drifted_share", "psi.max", "psi.mean"]);
      expect(Math.abs(results[0].figures["input.mean_shift"])).toBeLessThan(0.1);
      const features = results[0].features!;
      expect(features.names).toHaveLength(18);
      // Fashion-MNIST's mean intensity is about 73 of 255, in the reference and in served traffic alike
      expect(features.reference.mean[0]).toBeGreaterThan(60);
      expect(Math.abs(features.current.mean[0] - features.reference.mean[0])).toBeLessThan(10);
    } finally {
      await worker.stop();
      await queue.stop({ graceful: false, wait: true });
    }
  }, 120_000);
});
