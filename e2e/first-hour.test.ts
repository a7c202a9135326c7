/**
 * A newcomer's first hour on `next start` with the embedded worker: launch the SimCLR example, watch
 * its run page grow while other pages answer, cancel it and see the worker stop within seconds.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser";
import { startApp, type AppServer } from "@/server/testing/app-server";

const SHOTS = "test-output/e2e";

describe("first hour: a live run in the embedded worker", () => {
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

  it("trains while pages answer, updates the run page live, and cancels in seconds", async () => {
    const config = { ...JSON.parse(readFileSync("workers/engine/configs/fashion-mnist-simclr.json", "utf8")), epochs: 50 };
    const launched = await app.fetch(`${app.url}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "pretrain", experiment: "first-hour", config }),
    });
    assert.equal(launched.status, 201, await launched.clone().text());
    const { run } = (await launched.json()) as { run: { id: number } };

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await app.signIn(page);
    await page.goto(`${app.url}/runs/${run.id}`);
    const chart = page.getByTestId("chart-loss");
    const pointsShown = async () => Number((await chart.getByText(/\d+ points?/).innerText()).match(/(\d+) point/)![1]);
    await chart.getByText(/\d+ points?/).waitFor({ timeout: 180_000 });
    const first = await pointsShown();
    await page.screenshot({ path: `${SHOTS}/first-hour-run-live.png`, fullPage: true });

    // Another page, while the worker trains: it renders, and the run page keeps growing meanwhile.
    const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await app.signIn(other);
    const response = await other.goto(`${app.url}/`);
    assert.equal(response?.status(), 200);
    await other.getByRole("link", { name: /first-hour/ }).first().waitFor();
    await other.screenshot({ path: `${SHOTS}/first-hour-home-while-training.png`, fullPage: true });
    await other.close();
    await page.waitForFunction(
      ([testId, before]) => {
        const text = document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? "";
        return Number(text.match(/(\d+) point/)?.[1] ?? 0) > before;
      },
      ["chart-loss", first] as const,
      { timeout: 60_000 },
    );

    const clicked = Date.now();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator("h1 .status-cancelled").waitFor({ timeout: 10_000 });
    const stopped = async () => {
      const body = (await (await app.fetch(`${app.url}/api/v1/runs/${run.id}`)).json()) as { attempts: { outcome: string; endedAt: string | null }[] };
      return body.attempts.length > 0 && body.attempts.every((a) => a.outcome !== "running") ? body.attempts : null;
    };
    let attempts = await stopped();
    for (let i = 0; !attempts && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      attempts = await stopped();
    }
    assert.ok(attempts, "the worker stopped the run");
    assert.deepEqual(attempts.map((a) => a.outcome), ["cancelled"]);
    assert.ok(new Date(attempts[0].endedAt!).getTime() - clicked < 5000, "the worker stopped within 5 s of the click");
    // the page follows the worker until it has stopped (its refresh shows the closed attempt), then stops polling
    await page.getByTestId("attempts").getByText("cancelled").waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="run-charts"][data-live="no"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/first-hour-cancelled.png`, fullPage: true });
    await page.close();
  });
});
