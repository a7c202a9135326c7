import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { PretextApiError, PretextClient } from "@/server/client";
import { launchChromium } from "./browser";
import { startApp, type AppServer } from "@/server/testing/app-server";

const SHOTS = "test-output/e2e";

describe("tracking: HTTP API, client and UI against next start", () => {
  let app: AppServer;
  let client: PretextClient;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp();
    client = new PretextClient({ baseUrl: app.url, backoffMs: 20, token: app.token });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("logs a run through the client and reads it back", async () => {
    const run = await client.createRun({ experiment: "e2e", name: "simclr-small", config: { method: "simclr" } });
    const tracker = client.tracker(run.id);
    await tracker.logParams({ method: "simclr", lr: 0.001, batch_size: 256 });
    tracker.logMetrics(Array.from({ length: 12_000 }, (_, i) => ({ key: "train/loss", step: i, value: i === 6000 ? Number.NaN : 2 * Math.exp(-i / 3000) + 0.1 * Math.sin(i / 50) })));
    tracker.logMetrics(Array.from({ length: 30 }, (_, i) => ({ key: "knn_acc", step: i * 400, value: 0.5 + i / 100 })));
    await tracker.flush();
    const sha = await tracker.uploadArtifact("checkpoints/step-100.bin", "checkpoint", new Uint8Array([1, 2, 3, 4]));
    assert.equal(sha.bytes, 4);
    assert.deepEqual([...(await tracker.downloadArtifact("checkpoints/step-100.bin"))], [1, 2, 3, 4]);
    await tracker.setStatus("finished");
    tracker.close();

    const series = await client.readSeries(run.id, "train/loss", { maxPoints: 1000 });
    assert.equal(series.total, 12_000);
    assert.ok(series.downsampled && series.steps.length <= 1000);
    assert.ok(series.values.includes("NaN"));
    const fetched = await client.getRun(run.id);
    assert.equal(fetched.status, "finished");
    assert.equal(fetched.params.batch_size, 256);
  });

  it("refuses bad input with the field and reason, and keeps what was stored", async () => {
    const run = await client.createRun({ experiment: "e2e", name: "bad-input" });
    const post = (path: string, body: unknown) => client.request("POST", path, body).catch((e: PretextApiError) => e);
    const tooBig = await post(`/api/v1/runs/${run.id}/log`, { metrics: Array.from({ length: 10_001 }, (_, i) => ({ key: "x", step: i, value: 1 })) });
    assert.equal((tooBig as PretextApiError).status, 413);
    assert.match((tooBig as PretextApiError).message, /at most 10000/);
    const notNumeric = await post(`/api/v1/runs/${run.id}/log`, { metrics: [{ key: "x", step: 0, value: "high" }] });
    assert.match((notNumeric as PretextApiError).message, /400 metrics\.0\.value: must be a number/);
    const unknown = await post(`/api/v1/runs/987654/log`, { metrics: [{ key: "x", step: 0, value: 1 }] });
    assert.equal((unknown as PretextApiError).status, 404);
    const traversal = await client.request("PUT", `/api/v1/runs/${run.id}/artifacts/..%2F..%2Fsecrets`, new Uint8Array([1])).catch((e: PretextApiError) => e);
    assert.equal((traversal as PretextApiError).status, 400);
    const malformed = await app.fetch(`${app.url}/api/v1/runs/${run.id}/log`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).error, /body: not valid JSON/);
    // what another web site could make a visitor's browser send is refused before any route sees it
    const asForm = await app.fetch(`${app.url}/api/v1/runs/${run.id}/log`, { method: "POST", body: JSON.stringify({ params: { lr: 1 } }) });
    assert.deepEqual([asForm.status, await asForm.json()], [415, { error: "content-type: text/plain is not accepted; send the body as application/json" }]);
    const crossSite = await app.fetch(`${app.url}/api/v1/runs/${run.id}/log`, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: JSON.stringify({ params: { lr: 1 } }) });
    assert.equal(crossSite.status, 403);
    const nul = await app.fetch(`${app.url}/api/v1/encoders?name=a%00b`);
    assert.deepEqual([nul.status, await nul.json()], [400, { error: "url: must not contain the NUL character (%00)" }]);
    const runInfo = await client.getRun(run.id);
    assert.deepEqual(runInfo.params, {});
  });

  it("shows experiments, the runs table and a run's charts in Chromium", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await app.signIn(page);
    await page.goto(app.url);
    await page.getByRole("link", { name: "e2e" }).click();
    await page.getByTestId("runs-table").waitFor();
    assert.ok(await page.getByRole("cell", { name: "simclr" }).first().isVisible());
    await page.screenshot({ path: `${SHOTS}/runs-table.png`, fullPage: true });
    await page.getByRole("link", { name: "simclr-small" }).click();
    await page.getByTestId("params").waitFor();
    const chart = page.getByTestId("chart-train/loss");
    await chart.locator(".main-svg").first().waitFor();
    assert.match(await chart.innerText(), /12,000 points · M4/);
    await page.screenshot({ path: `${SHOTS}/run-page.png`, fullPage: true });
    await page.close();
  });

  it("renders a run that is merely tagged 'sweep' as a plain run", async () => {
    const run = await client.createRun({ experiment: "e2e", name: "tagged-sweep" });
    await client.tracker(run.id).setTags({ sweep: "yes" });
    const page = await app.fetch(`${app.url}/runs/${run.id}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /tagged-sweep/);
  });

  it("grows a live run's chart while it logs", async () => {
    const run = await client.createRun({ experiment: "e2e", name: "live" });
    const tracker = client.tracker(run.id);
    tracker.logMetrics(Array.from({ length: 10 }, (_, i) => ({ key: "loss", step: i, value: 1 / (i + 1) })));
    await tracker.flush();
    const page = await browser.newPage();
    await app.signIn(page);
    await page.goto(`${app.url}/runs/${run.id}`);
    const chart = page.getByTestId("chart-loss");
    await chart.getByText("10 points").waitFor();
    tracker.logMetrics(Array.from({ length: 40 }, (_, i) => ({ key: "loss", step: 10 + i, value: 1 / (i + 11) })));
    await tracker.flush();
    await chart.getByText("50 points").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/live-run.png` });
    await tracker.setStatus("finished");
    tracker.close();
    await page.close();
  });
});
