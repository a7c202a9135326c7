import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PretextClient } from "@/server/client";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { MAX_TAGS } from "@/server/validation";
import { launchChromium } from "./browser";

const SHOTS = "test-output/screenshots";

describe("runs table defaults, sweep grouping, extreme values and not-found pages in Chromium (next start)", () => {
  let app: AppServer;
  let client: PretextClient;
  let browser: Browser;
  let page: Page;
  let experimentId: number;
  let sweepId: number;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    client = new PretextClient({ baseUrl: app.url, backoffMs: 20, token: app.token });
    // Three runs whose method and lr differ (batch_size does not), and a sweep of three trials.
    const log = async (name: string, params: Record<string, string | number>, loss: number, parentRunId?: number) => {
      const run = await client.createRun({ experiment: "table-e2e", name, parentRunId });
      const tracker = client.tracker(run.id);
      await tracker.logParams(params);
      tracker.logMetrics([0, 1, 2].flatMap((step) => [{ key: "loss", step, value: loss + 1 - step / 2 }, { key: "epoch", step, value: step }, { key: "lr", step, value: 0.001 }]));
      await tracker.flush();
      await tracker.setStatus("finished");
      tracker.close();
      return run;
    };
    for (const [method, lr] of [["simclr", 0.001], ["byol", 0.003], ["moco", 0.001]] as const) {
      experimentId = (await log(`${method}-baseline`, { method, lr, batch_size: 256 }, 4.6)).experimentId;
    }
    sweepId = (await client.createRun({ experiment: "table-e2e", name: "lr-sweep" })).id;
    for (const [i, lr] of [0.01, 0.03, 0.1].entries()) await log(`lr-sweep-${i + 1}`, { method: "simclr", lr, batch_size: 256 }, 4 + i, sweepId);
    await client.tracker(sweepId).setTags({ best_run: String(sweepId + 1), best_loss: "4.5760979652404785" });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    await app.signIn(page);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("shows the params that differ and the metrics runs log, with sweep trials nested under their parent", async () => {
    await page.goto(`${app.url}/experiments/${experimentId}`);
    const table = page.getByTestId("runs-table");
    await table.waitFor();
    const headers = await table.locator("thead th").allInnerTexts();
    assert.deepEqual(
      headers.map((h) => h.replace(/\s+/g, " ").replace(/[▲▼]/g, "").trim()),
      ["", "Run", "Status", "Created", "Duration", "PARAM lr", "PARAM method", "METRIC loss"],
      "batch_size is the same everywhere; epoch and lr are bookkeeping",
    );
    const names = () => table.locator("tbody tr td:nth-child(2) a:first-child").allInnerTexts();
    assert.deepEqual(await names(), ["lr-sweep", "moco-baseline", "byol-baseline", "simclr-baseline"]);
    const toggle = page.getByTestId("trial-toggle");
    assert.equal((await toggle.innerText()).trim(), "▸ 3 trials");
    await toggle.click();
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=runs-table] tr.trial-row").length === 3);
    assert.deepEqual((await names()).slice(0, 4), ["lr-sweep", "lr-sweep-3", "lr-sweep-2", "lr-sweep-1"]);
    await page.screenshot({ path: `${SHOTS}/runs-table-grouped.png`, fullPage: true });
  });

  it("keeps the run name in view when the table scrolls sideways", async () => {
    // enough columns that the table is wider than the window
    await page.goto(`${app.url}/experiments/${experimentId}?cols=${encodeURIComponent("params.lr,params.method,params.batch_size,metrics.loss,metrics.epoch,metrics.lr")}`);
    const scroller = page.locator(".runs-table");
    await scroller.waitFor();
    const name = page.getByRole("link", { name: "moco-baseline" });
    const before = await name.boundingBox();
    const scrolled = await scroller.evaluate((el) => {
      el.scrollLeft = el.scrollWidth;
      return el.scrollLeft;
    });
    assert.ok(scrolled > 100, `the table scrolls (by ${scrolled}px)`);
    await page.waitForTimeout(100);
    const afterScroll = await name.boundingBox();
    assert.ok(before && afterScroll && Math.abs(afterScroll.x - before.x) < 1, "the name column does not move");
    // nothing is drawn over it: the point at its centre is the link itself
    const onTop = await name.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.x + 5, r.y + r.height / 2));
    });
    assert.ok(onTop, "the sticky name is on top of the scrolled cells");
    await page.screenshot({ path: `${SHOTS}/runs-table-scrolled.png` });
  });

  it("formats numbers to their precision with the full value on hover, and collapses the most tags a run may have", async () => {
    await page.goto(`${app.url}/runs/${sweepId}`);
    const best = page.locator(".facts div", { hasText: "best_loss" });
    assert.match(await best.innerText(), /best_loss\s+4\.576$/);
    assert.equal(await best.locator("[title]").last().getAttribute("title"), "4.5760979652404785");

    const extreme = await client.createRun({ experiment: "table-e2e", name: "extremes" });
    const tracker = client.tracker(extreme.id);
    await tracker.logParams({ huge: 1.7976931348623157e308, tiny: -1.7976931348623157e308, note: "x".repeat(3000) });
    await tracker.setTags(Object.fromEntries(Array.from({ length: MAX_TAGS }, (_, i) => [`tag_${i}`, `value ${i}`])));
    await tracker.setStatus("finished");
    tracker.close();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${app.url}/runs/${extreme.id}`);
    const params = await page.getByTestId("params").innerText();
    assert.match(params, /huge\s+1\.798e\+308/);
    assert.match(params, /tiny\s+-1\.798e\+308/);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 3000, `the page is ${height}px tall`);
    const overflowX = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflowX, 0, "nothing is wider than the window");
    await page.screenshot({ path: `${SHOTS}/run-many-tags.png`, fullPage: true });

    await page.getByTestId("show-all-tags").click();
    const all = page.getByTestId("all-tags");
    await all.waitFor();
    assert.equal(await all.locator(":scope > div").count(), MAX_TAGS - 24);
    const box = await all.evaluate((el) => ({ height: el.clientHeight, scrolls: el.scrollHeight > el.clientHeight }));
    assert.ok(box.height <= 430 && box.scrolls, "every tag is in a box that scrolls, not in the page");
    await page.screenshot({ path: `${SHOTS}/run-all-tags.png`, fullPage: true });
  });

  it("says which run, experiment or page was not found and where to go", async () => {
    for (const [path, heading] of [
      ["/runs/987654", "Run 987654 not found"],
      ["/runs/abc", "No run “abc”"],
      ["/experiments/987654", "Experiment 987654 not found"],
      ["/no/such/page", "Page not found"],
    ]) {
      const res = await page.goto(`${app.url}${path}`);
      assert.equal(res?.status(), 404, path);
      assert.equal(await page.locator("h1").innerText(), heading);
    }
    await page.getByRole("link", { name: "table-e2e" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/not-found.png` });
    await page.getByRole("link", { name: "All experiments" }).click();
    await page.getByRole("heading", { name: "Experiments" }).waitFor();
  });
});
