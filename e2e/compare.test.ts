import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PretextClient } from "@/server/client";
import { launchChromium } from "./browser";
import { startApp, type AppServer } from "@/server/testing/app-server";

const SHOTS = "test-output/screenshots";

/** Six runs: three simclr runs with knn_acc ending above 0.6 (one below), two byol, one still running. */
const RUNS = [
  { name: "simclr-lr0.1", method: "simclr", lr: 0.1, finalAcc: 0.82, status: "finished", team: "vision" },
  { name: "simclr-lr0.01", method: "simclr", lr: 0.01, finalAcc: 0.74, status: "finished", team: "vision" },
  { name: "simclr-lr1", method: "simclr", lr: 1, finalAcc: 0.31, status: "failed", team: "vision" },
  { name: "simclr-lr0.03", method: "simclr", lr: 0.03, finalAcc: 0.69, status: "running", team: "audio" },
  { name: "byol-lr0.1", method: "byol", lr: 0.1, finalAcc: 0.88, status: "finished", team: "audio" },
  { name: "byol-lr0.01", method: "byol", lr: 0.01, finalAcc: 0.79, status: "finished", team: "audio" },
] as const;

describe("runs table and compare view against next start", () => {
  let app: AppServer;
  let browser: Browser;
  let page: Page;
  let experimentId: number;
  const browserErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp();
    const client = new PretextClient({ baseUrl: app.url, backoffMs: 20, token: app.token });
    for (const r of RUNS) {
      const run = await client.createRun({ experiment: "compare-e2e", name: r.name, tags: { team: r.team } });
      experimentId = run.experimentId;
      const tracker = client.tracker(run.id);
      await tracker.logParams({ method: r.method, lr: r.lr, batch_size: 256, epochs: 50 });
      tracker.logMetrics(Array.from({ length: 40 }, (_, i) => ({ key: "knn_acc", step: i * 50, value: r.finalAcc * (1 - Math.exp(-(i + 1) / 8)) })));
      tracker.logMetrics(Array.from({ length: 2000 }, (_, i) => ({ key: "train/loss", step: i, value: (2 + r.lr) * Math.exp(-i / (400 + 1000 * r.finalAcc)) + 0.02 * Math.sin(i / 20) })));
      await tracker.flush();
      if (r.status !== "running") await tracker.setStatus(r.status);
      tracker.close();
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await app.signIn(page);
    page.on("console", (m) => m.type() === "error" && browserErrors.push(`${m.text()} (${m.location().url})`)); // the URL names a failed resource
    page.on("pageerror", (e) => browserErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const rowNames = async () => page.locator("[data-testid=runs-table] tbody tr td:nth-child(2)").allInnerTexts();

  it("filters the runs table with an expression and explains a bad one", async () => {
    await page.goto(app.url);
    await page.getByRole("link", { name: "compare-e2e" }).click();
    await page.getByTestId("runs-table").waitFor();
    assert.equal((await rowNames()).length, 6);
    await page.screenshot({ path: `${SHOTS}/runs-table.png`, fullPage: true });

    const search = page.getByTestId("run-search");
    await search.fill('params.method = "simclr" and metrics.knn_acc >');
    await search.press("Enter");
    const message = page.getByTestId("search-message");
    await message.getByRole("alert").waitFor();
    assert.match(await message.innerText(), /filter: at position 47, expected a value \(a "string", a number, true or false\) after >, found end of expression/);
    await page.screenshot({ path: `${SHOTS}/runs-table-bad-expression.png`, fullPage: true });

    await search.fill('params.method = "simclr" and metrics.knn_acc > 0.6 and not status = "failed"');
    await search.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=runs-table] tbody tr").length === 3);
    assert.deepEqual((await rowNames()).sort(), ["simclr-lr0.01", "simclr-lr0.03", "simclr-lr0.1"]);
    assert.match(page.url(), /q=params\.method/);

    // sorted by the latest knn_acc on the server: best first
    await page.locator("th").getByRole("button", { name: /knn_acc/ }).click();
    await page.waitForURL(/sort=metrics\.knn_acc/);
    await page.waitForFunction(() => document.querySelector("[data-testid=runs-table] tbody tr td:nth-child(2)")?.textContent === "simclr-lr0.1");
    assert.deepEqual(await rowNames(), ["simclr-lr0.1", "simclr-lr0.01", "simclr-lr0.03"]);
    await page.screenshot({ path: `${SHOTS}/runs-table-filtered.png`, fullPage: true });

    // the column chooser adds a tag column and keeps the choice in the URL; the defaults are the
    // params that differ (lr, method; not batch_size or epochs) and both metrics
    await page.getByText(/^Columns \(4\)$/).click();
    await page.getByRole("checkbox", { name: "team" }).check();
    await page.waitForURL(/cols=[^&]*tags\.team/);
    await page.locator("th").getByRole("button", { name: /team/ }).waitFor();
    assert.deepEqual(await page.locator("[data-testid=runs-table] tbody tr td:last-child").allInnerTexts(), ["vision", "vision", "audio"]);
    await page.screenshot({ path: `${SHOTS}/runs-table-columns.png` });
    await page.getByText(/^Columns \(5\)$/).click();
  });

  it("answers a bad expression over REST with a 400 naming the field", async () => {
    const res = await app.fetch(`${app.url}/api/v1/experiments/${experimentId}/runs?filter=${encodeURIComponent("metrics.knn_acc > 'x'")}`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'filter: at position 19, expected a number to compare metrics.knn_acc with, found "\'x\'"' });
    const ok = await app.fetch(`${app.url}/api/v1/experiments/${experimentId}/runs?filter=${encodeURIComponent('tags.team = "audio"')}&sort=name&dir=asc`);
    assert.deepEqual(((await ok.json()) as { runs: { name: string }[] }).runs.map((r) => r.name), ["byol-lr0.01", "byol-lr0.1", "simclr-lr0.03"]);
  });

  it("selects two runs and compares their curves and params", async () => {
    await page.getByRole("checkbox", { name: "Select simclr-lr0.1", exact: true }).check();
    await page.getByRole("checkbox", { name: "Select simclr-lr0.01", exact: true }).check();
    const compare = page.getByTestId("compare-button");
    assert.equal(await compare.innerText(), "Compare (2)");
    await page.screenshot({ path: `${SHOTS}/runs-table-selected.png` });
    await compare.click();
    await page.waitForURL(/\/compare\?runs=\d+,\d+/);

    for (const key of ["knn_acc", "train/loss"]) {
      const chart = page.getByTestId(`compare-chart-${key}`);
      await page.locator(`[data-testid='compare-chart-${key}'][data-drawn=true]`).waitFor();
      assert.equal(await chart.locator(".scatterlayer .trace").count(), 2, `${key}: one curve per run`);
    }
    assert.match(await page.getByTestId("compare-chart-train/loss").innerText(), /2 runs · 4,000 points/);

    const diff = page.getByTestId("param-diff");
    assert.deepEqual(await diff.locator("tbody td:first-child").allInnerTexts(), ["lr"]);
    assert.deepEqual(await diff.locator("tbody td").allInnerTexts(), ["lr", "0.1", "0.01"]);
    await page.getByTestId("parallel-coordinates").scrollIntoViewIfNeeded();
    await page.getByTestId("parallel-coordinates").locator(".parcoords").waitFor();
    await page.getByTestId("param-scatter").locator(".scatterlayer .point").first().waitFor();
    await page.screenshot({ path: `${SHOTS}/compare.png`, fullPage: true });

    // smoothing adds a faint raw curve under each smoothed one; log scale switches the axis
    await page.getByTestId("smoothing").fill("0.8");
    await page.getByTestId("log-y").check();
    const knn = page.getByTestId("compare-chart-knn_acc");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid='compare-chart-knn_acc'] .scatterlayer .trace").length === 4);
    assert.equal(await knn.locator(".scatterlayer .trace").count(), 4);
    await page.screenshot({ path: `${SHOTS}/compare-smoothed-log.png`, fullPage: false });
  });

  it("ran without errors in the browser console (hydration, React keys, plotly)", () => {
    assert.deepEqual(browserErrors, []);
  });
});
