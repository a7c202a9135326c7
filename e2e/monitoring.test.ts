/**
 * Drift monitoring in the browser: a production encoder behind a deployment, a monitor on its
 * embeddings, three windows of real Fashion-MNIST traffic (the last two brightened), a check run by
 * the embedded worker, an alert emailed to a real SMTP server in this process; then the deployment
 * and monitor pages: charts per figure, windows, rules, history, and the forms that change them.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { startSmtpServer, type TestSmtpServer } from "@/server/testing/smtp";
import { waitFor } from "@/server/testing/wait-for";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { launchChromium } from "./browser";

const SHOTS = "test-output/screenshots";
const VIEWPORT = { width: 1440, height: 900 };
const ENCODER = "fm-simclr";
const DEPLOYMENT = "fm-monitored";
const WINDOW = 100;
const WINDOWS = 3;
/** brightness +0.3 of the pixel range, as `pretext simulate --drift brightness=0.3` shifts it */
const BRIGHTEN = 0.3 * 255;

interface PlotDiv extends HTMLElement {
  data: { name: string; x: unknown[]; y: (number | null)[] }[];
  layout: { shapes: { type: string; y0: number; line: { dash?: string } }[]; annotations: { text: string }[] };
}

interface Report {
  monitor: { id: number; lastCheckAt: string | null; lastCheckError: string | null };
  figures: { name: string }[];
  results: { windowIndex: number; status: string; figures: Record<string, number> }[];
  alerts: { rules: { name: string; state: string }[]; events: { fromState: string; toState: string; email: { status: string } | null }[] };
}

describe("drift monitoring pages in Chromium (next start, embedded worker)", () => {
  let app: AppServer;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let page: Page;
  let monitorId: number;
  let emailPath: string;
  const browserErrors: string[] = [];
  const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SHOTS, `monitoring-${name}.png`), fullPage: true });

  /** A JSON (or raw bytes) request with the local admin token; anything but 2xx throws with the server's words. */
  async function call<T>(method: string, target: string, body?: unknown): Promise<T> {
    const bytes = body instanceof Uint8Array;
    const res = await app.fetch(target, {
      method,
      headers: body === undefined ? {} : { "content-type": bytes ? "application/octet-stream" : "application/json" },
      body: body === undefined ? undefined : bytes ? (body as BodyInit) : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${target}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  }
  const report = () => call<Report>("GET", `/api/v1/monitors/${monitorId}`);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    smtp = await startSmtpServer();
    // embedded mode: the app's own worker runs the drift checks and sends the alert emails
    app = await startApp({ SMTP_URL: smtp.url, PRETEXT_EMBEDDED_WORKER: "1" });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    page.on("pageerror", (e) => browserErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.stop();
  });

  it("checks three windows of served traffic in the worker, and emails the alert once", async () => {
    const run = await call<{ id: number }>("POST", "/api/v1/runs", { experiment: "monitoring", name: "simclr", config: { dataset: { kind: "fashion-mnist" }, method: { name: "simclr" } } });
    await call("PUT", `/api/v1/runs/${run.id}/artifacts/encoder.ptx?kind=encoder`, new Uint8Array(readFileSync("examples/encoders/fashion-mnist-simclr.ptx")));
    await call("POST", `/api/v1/runs/${run.id}/status`, { status: "finished" });
    const version = await call<{ id: number; version: number }>("POST", "/api/v1/encoders", { name: ENCODER, runId: run.id, artifactName: "encoder.ptx" });
    await call("POST", `/api/v1/encoders/${version.id}/stage`, { stage: "production", reason: "monitored" });
    await call("POST", "/api/v1/deployments", { name: DEPLOYMENT, encoderName: ENCODER, sampleRate: 1 });
    // a second deployment, under which the monitor must not be found
    await call("POST", "/api/v1/deployments", { name: "fm-other", encoderName: ENCODER, sampleRate: 0 });
    const monitor = await call<{ id: number }>("POST", `/api/v1/deployments/${DEPLOYMENT}/monitors`, {
      name: "embeddings",
      target: "embedding",
      tests: ["mmd", "ks"],
      reference: { kind: "dataset", data: "fashion-mnist", split: "train", size: 300 },
      window: { kind: "count", size: WINDOW },
      minSamples: 50,
      schedule: null,
    });
    monitorId = monitor.id;
    await call("POST", `/api/v1/monitors/${monitorId}/rules`, {
      name: "embedding drift",
      figure: "mmd.p_value",
      direction: "below",
      threshold: 0.01,
      consecutive: 1,
      recipients: ["owner@example.com"],
    });

    // three windows of test images, the last two brightened (clipped to the pixel range)
    const images = (await loadDataset({ kind: "fashion-mnist" })).test!.x as Uint8Array;
    for (let w = 0; w < WINDOWS; w++) {
      for (let b = 0; b < WINDOW; b += 50) {
        const inputs = Array.from({ length: 50 }, (_, i) => {
          const id = w * WINDOW + b + i;
          return Array.from(images.subarray(id * 784, (id + 1) * 784), (v) => (w === 0 ? v : Math.min(255, v + BRIGHTEN)));
        });
        const served = await call<{ embeddings: number[][] }>("POST", `/api/v1/deployments/${DEPLOYMENT}/embed`, { inputs });
        assert.equal(served.embeddings.length, 50);
      }
    }
    // the request log writes requests, then samples, about every second
    await waitFor(
      "the served samples in the request log",
      async () => (await call<{ traffic: { samples: number } }>("GET", `/api/v1/deployments/${DEPLOYMENT}`)).traffic.samples >= WINDOWS * WINDOW,
      20_000,
      250,
    );

    // Check now; a check that ran before the last samples were written stores fewer windows: check again
    const started = Date.now();
    let checked: Report | null = null;
    while (!checked) {
      assert.ok(Date.now() - started < 90_000, "the worker stored 3 windows within 90 s");
      const before = (await report()).monitor.lastCheckAt;
      await call("POST", `/api/v1/monitors/${monitorId}/check`);
      const after = await waitFor("the check to report", async () => {
        const r = await report();
        return r.monitor.lastCheckAt !== before && r;
      }, 90_000 - (Date.now() - started), 500);
      assert.equal(after.monitor.lastCheckError, null);
      if (after.results.length === WINDOWS) checked = after;
    }
    console.log(`checked in ${((Date.now() - started) / 1000).toFixed(1)} s; MMD p-values ${checked.results.map((r) => r.figures["mmd.p_value"]).join(", ")}`);
    assert.deepEqual(
      checked.results.map((r) => r.status),
      ["ok", "drift", "drift"],
    );
    assert.deepEqual(
      checked.figures.map((f) => f.name),
      ["mmd.p_value", "mmd.statistic", "ks.p_value", "ks.drifted_share"],
    );
    assert.deepEqual(
      checked.alerts.rules.map((r) => [r.name, r.state]),
      [["embedding drift", "firing"]],
    );

    // the worker's mailer sends the firing's one email, which links to the monitor's page
    await waitFor("the alert email", async () => smtp.received.length === 1, 30_000, 250);
    const [mail] = smtp.received;
    assert.deepEqual(mail.to, ["owner@example.com"]);
    assert.match(mail.subject, new RegExp(`^\\[Pretext\\] drift on ${DEPLOYMENT}: embeddings mmd\\.p_value`));
    emailPath = new URL(mail.text.match(/Monitor: (\S+)/)![1]).pathname;
    assert.equal(emailPath, `/deployments/${DEPLOYMENT}/monitors/${monitorId}`);
  });

  it("lists the deployment's traffic and monitors, linked from the encoder's page and the nav", async () => {
    await page.goto(`${app.url}/encoders/${ENCODER}`);
    await page.getByTestId("deployments").getByRole("link", { name: DEPLOYMENT }).click();
    await page.waitForURL(`**/deployments/${DEPLOYMENT}`);
    assert.equal(await page.locator("h1").innerText(), DEPLOYMENT);
    assert.match(await page.getByTestId("deployment-facts").innerText(), new RegExp(`Serves now\\s+${ENCODER} v1[\\s\\S]*Inputs sampled\\s+100 %\\s+Kept for\\s+30 days`));
    assert.match(await page.getByTestId("traffic").innerText(), /Requests\s+6\s+Failed\s+0\s+Inputs embedded\s+300\s+Latency p50\s+[\d.,]+ ms\s+Latency p99\s+[\d.,]+ ms/);
    const row = page.getByTestId("monitor-embeddings");
    assert.match(await row.innerText(), /^embeddings\s+embeddings\s+mmd, ks\s+every 100 samples\s+at least 50 samples\s+300 samples of fashion-mnist \(train\)\s+on demand only\s+drift window 2\s+ended 20\d\d-/);
    assert.equal(await row.getByTestId("latest-window").locator(".window-status-drift").innerText(), "drift");
    await shot("deployment");

    await page.locator(".topbar nav").getByRole("link", { name: "Deployments" }).click();
    await page.waitForURL("**/deployments");
    const all = await page.getByTestId("all-deployments").locator("tbody tr").allInnerTexts();
    assert.deepEqual(all.length, 2);
    assert.match(all.find((r) => r.startsWith(DEPLOYMENT))!, new RegExp(`^${DEPLOYMENT}\\s+${ENCODER}\\s+v1\\s+6\\s+0\\s+embeddings drift$`));
    await shot("deployments");
  });

  it("draws one chart per figure with its threshold, drift windows in red, and the windows, rule and history", async () => {
    await page.goto(`${app.url}/deployments/${DEPLOYMENT}`);
    await page.getByTestId("monitor-embeddings").getByRole("link", { name: "embeddings" }).click();
    await page.waitForURL(`**${emailPath}`);
    assert.match(await page.locator("h1").innerText(), /^embeddings drift$/);
    assert.match(await page.getByTestId("monitor-config").innerText(), /Target\s+embeddings\s+Tests\s+mmd, ks\s+Windows\s+every 100 samples\s+Min samples\s+50\s+Reference\s+300 samples of fashion-mnist \(train\)\s+Schedule\s+on demand only/);
    assert.match(await page.getByTestId("firing-banner").innerText(), /Alert firing\s+embedding drift \(mmd\.p_value < 0\.01\)/);

    for (const figure of ["mmd.p_value", "mmd.statistic", "ks.p_value", "ks.drifted_share"]) {
      const plot = page.getByTestId(`figure-plot-${figure}`);
      await plot.locator(".main-svg").first().waitFor();
      const [line, drift] = await plot.evaluate((el: PlotDiv) => el.data.map((d) => ({ x: d.x, y: d.y })));
      assert.deepEqual(line.x, [0, 1, 2], figure);
      assert.deepEqual(drift.x, [1, 2], `${figure}: the drift windows are marked`);
    }
    const pValue = page.getByTestId("figure-plot-mmd.p_value");
    const lines = await pValue.evaluate((el: PlotDiv) => el.layout.shapes.filter((s) => s.type === "line").map((s) => [s.y0, s.line.dash]));
    assert.deepEqual(lines, [
      [0.05, "dash"],
      [0.01, "dashdot"],
    ]);
    assert.deepEqual(await pValue.evaluate((el: PlotDiv) => el.layout.annotations.map((a) => a.text)), ["threshold < 0.05", "rule embedding drift < 0.01"]);
    assert.equal(await pValue.locator(".shapelayer path").count(), 2, "the threshold lines are drawn");
    assert.equal(await page.getByTestId("figure-plot-ks.drifted_share").locator(".shapelayer path").count(), 0, "a figure without a threshold has no line");

    const windows = await page.getByTestId("results").locator("tbody tr").allInnerTexts();
    assert.equal(windows.length, 3);
    assert.match(windows[0], /^2\s+20\d\d-[\d-]+ [\d:]+\s+from 20\d\d-[\d-]+ [\d:]+\s+100 \/ 300\s+drift\s+[\s\S]*flagged by (mmd|ks)/);
    assert.match(windows[1], /^1\s+[\s\S]*100 \/ 300\s+drift\s/);
    assert.match(windows[2], /^0\s+[\s\S]*100 \/ 300\s+ok\s/);

    assert.match(await page.getByTestId("rule-embedding drift").innerText(), /^embedding drift\s+by local admin\s+mmd\.p_value\s+< 0\.01\s+1\s+60 min\s+owner@example\.com\s+firing\s+since 20\d\d-/);
    const history = await page.getByTestId("history").locator("tbody tr").allInnerTexts();
    assert.equal(history.length, 1);
    assert.match(history[0], /^20\d\d-[\d-]+ [\d:]+\s+embedding drift\s+ok\s+→\s+firing\s+1\s+\S+\s+sent 20\d\d-/);
    await shot("monitor");

    await page.getByTestId("chart-x").selectOption("time");
    await page.waitForFunction(() => (document.querySelector("[data-testid='figure-plot-mmd.p_value']") as unknown as PlotDiv).data[0].x.every((x) => typeof x === "string"));
    await page.getByTestId("chart-x").selectOption("window");
  });

  it("adds a rule from the form, prefilled with the figure's threshold, and disables and deletes it", async () => {
    const form = page.getByTestId("add-rule");
    await form.getByRole("button", { name: "Add rule" }).click();
    assert.match(await page.getByTestId("rule-error").innerText(), /^name: must not be empty; recipients: must name at least one address$/);

    await form.getByLabel("rule name").fill("ks drift");
    await form.getByLabel("rule figure").selectOption("ks.p_value");
    assert.equal(await form.getByLabel("rule direction").inputValue(), "below");
    assert.equal(await form.getByLabel("rule threshold").inputValue(), "0.05");
    await form.getByLabel("rule consecutive").fill("2");
    await form.getByLabel("rule recipients").fill("team@example.com, oncall@example.com");
    await form.getByRole("button", { name: "Add rule" }).click();
    const added = page.getByTestId("rule-ks drift");
    await added.waitFor();
    assert.match(await added.innerText(), /^ks drift\s+by user:admin\s+ks\.p_value\s+< 0\.05\s+2\s+60 min\s+team@example\.com, oncall@example\.com\s+ok/);
    assert.equal(await page.getByTestId("rules").locator("tbody tr").count(), 2);
    // its threshold joins the figure's chart
    await page.waitForFunction(() =>
      (document.querySelector("[data-testid='figure-plot-ks.p_value']") as unknown as PlotDiv).layout.annotations.some((a) => a.text === "rule ks drift < 0.05"),
    );
    await shot("monitor-rule-added");

    await added.getByRole("button", { name: "disable rule ks drift" }).click();
    await added.getByTestId("rule-state").getByText("disabled").waitFor();
    await added.getByRole("button", { name: "enable rule ks drift" }).click();
    await added.getByTestId("rule-state").getByText("ok").waitFor();
    await added.getByRole("button", { name: "delete rule ks drift" }).click();
    await added.getByRole("button", { name: "confirm delete rule ks drift" }).click();
    await added.waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("rules").locator("tbody tr").count(), 1);
  });

  it("queues a check from the page and refreshes when the worker has run it", async () => {
    const before = await page.getByTestId("last-check").innerText();
    await page.getByRole("button", { name: "Check now" }).click();
    await page.getByTestId("check-queued").waitFor();
    assert.match(await page.getByTestId("check-queued").innerText(), /Check queued/);
    await page.getByTestId("check-done").waitFor({ timeout: 60_000 });
    assert.notEqual(await page.getByTestId("last-check").innerText(), before);
    assert.equal(await page.getByTestId("results").locator("tbody tr").count(), 3, "no new samples: no new window");
  });

  it("adds a monitor from the deployment's page, showing the server's refusal next to the form", async () => {
    await page.goto(`${app.url}/deployments/${DEPLOYMENT}`);
    const form = page.getByTestId("create-monitor");
    await form.getByLabel("monitor name").fill("inputs");
    await form.getByLabel("target").selectOption("input");
    await form.getByLabel("test mmd").uncheck();
    await form.getByLabel("test psi").check();
    await form.getByLabel("reference split").selectOption("test");
    await form.getByLabel("reference size").fill("500");
    await form.getByLabel("window size").fill("5");
    await form.getByLabel("min samples").fill("50");
    await form.getByLabel("schedule").fill("");
    await form.getByRole("button", { name: "Add monitor" }).click();
    assert.match(await page.getByTestId("monitor-error").innerText(), /^window\.size: must be >= 10/);
    await shot("deployment-monitor-refused");

    await form.getByLabel("window kind").selectOption("time");
    await form.getByLabel("window minutes").fill("30");
    await form.getByRole("button", { name: "Add monitor" }).click();
    const row = page.getByTestId("monitor-inputs");
    await row.waitFor();
    assert.match(await row.innerText(), /^inputs\s+inputs\s+ks, psi\s+every 30 min\s+at least 50 samples\s+500 samples of fashion-mnist \(test\)\s+on demand only\s+none checked yet\s+never$/);
    assert.equal(await page.getByTestId("monitor-error").count(), 0);
    await shot("deployment-two-monitors");
  });

  it("shows a viewer the pages without the forms, an editor Check now, and sends a signed-out browser to sign in", async () => {
    const contexts: BrowserContext[] = [];
    try {
      for (const role of ["viewer", "editor"] as const) {
        const { link } = await call<{ link: string }>("POST", "/api/v1/users", { name: `${role}-1`, role });
        const context = await browser.newContext({ viewport: VIEWPORT });
        contexts.push(context);
        const p = await context.newPage();
        p.on("pageerror", (e) => browserErrors.push(e.message));
        await p.goto(`${app.url}${link}`);
        await p.goto(`${app.url}${emailPath}`);
        await p.getByTestId(`figure-plot-mmd.p_value`).locator(".main-svg").first().waitFor();
        assert.equal(await p.getByTestId("add-rule").count(), 0, role);
        assert.equal(await p.getByRole("button", { name: /disable rule/ }).count(), 0, role);
        assert.equal(await p.getByRole("button", { name: "Check now" }).count(), role === "editor" ? 1 : 0, role);
        if (role === "viewer") await shot("monitor-viewer", p);
        await p.goto(`${app.url}/deployments/${DEPLOYMENT}`);
        await p.getByTestId("monitors").waitFor();
        assert.equal(await p.getByTestId("create-monitor").count(), 0, role);
      }
      const anonymous = await browser.newContext({ viewport: VIEWPORT });
      contexts.push(anonymous);
      const p = await anonymous.newPage();
      await p.goto(`${app.url}${emailPath}`);
      await p.waitForURL((u) => u.pathname === "/sign-in" && u.searchParams.get("next") === emailPath);
    } finally {
      for (const c of contexts) await c.close();
    }
  });

  it("shows the not-found page for an unknown deployment or monitor, and for a monitor under another deployment", async () => {
    for (const [url, title] of [
      [`/deployments/${DEPLOYMENT}/monitors/999`, `Monitor 999 of ${DEPLOYMENT} not found`],
      [`/deployments/fm-other/monitors/${monitorId}`, `Monitor ${monitorId} of fm-other not found`],
      [`/deployments/${DEPLOYMENT}/monitors/abc`, "No monitor “abc”"],
      ["/deployments/no-such-deployment", "No deployment “no-such-deployment”"],
      [`/deployments/no-such-deployment/monitors/${monitorId}`, `Monitor ${monitorId} of no-such-deployment not found`],
    ]) {
      const res = await page.goto(`${app.url}${url}`);
      assert.equal(res?.status(), 404, url);
      assert.equal(await page.getByTestId("not-found").locator("h1").innerText(), title);
      if (url.endsWith("/999")) await shot("monitor-not-found");
    }
    assert.deepEqual(browserErrors, []);
  });
});
