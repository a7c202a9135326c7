import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { tinyPretrainConfig } from "@/workers/engine/test-support/tiny-configs";
import { launchChromium } from "./browser";

const SHOTS = "test-output/e2e";

const tinyConfig = tinyPretrainConfig({ name: "ui-launched", data: { limit: 512 }, epochs: 2, seed: 3 });

describe("launch from the UI, embedded worker on PGlite (next start)", () => {
  let app: AppServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("launches a pretraining run that the app's own worker trains to the end", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${app.url}/launch`);
    await page.getByLabel("Experiment").fill("ui");
    await page.getByLabel("Config (JSON)").fill(JSON.stringify(tinyConfig, null, 2));
    await page.screenshot({ path: `${SHOTS}/launch.png`, fullPage: true });
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByText("finished", { exact: true }).first().waitFor({ timeout: 90_000 });
    await page.getByTestId("chart-loss").locator(".main-svg").first().waitFor();
    const attempts = await page.getByTestId("attempts").innerText();
    assert.match(attempts, /embedded-\d+\s+finished/);
    assert.match(await page.locator(".facts").innerText(), /Backend\s+(wasm|cpu|tensorflow)/);
    await page.screenshot({ path: `${SHOTS}/launched-run.png`, fullPage: true });
    await page.close();
  });

  it("shows the failure reason of a run whose config is invalid", async () => {
    const res = await fetch(`${app.url}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment: "ui", config: { ...tinyConfig, batchSize: -1 } }),
    });
    const { run } = (await res.json()) as { run: { id: number } };
    const page = await browser.newPage();
    await page.goto(`${app.url}/runs/${run.id}`);
    await page.locator(".error-box").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("attempts").locator("tr").count(), 1, "a bad config is not retried");
    assert.match(await page.locator(".error-box").innerText(), /invalid pretraining config:\s+batchSize/);
    const attempts = (await (await fetch(`${app.url}/api/v1/runs/${run.id}`)).json()) as { status: string };
    assert.equal(attempts.status, "failed");
    await page.close();
  });
});
