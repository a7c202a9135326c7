import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
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

  /** The id the next run gets: when it is one more than before, nothing was stored in between. */
  const nextRunId = async () => {
    const res = await app.fetch(`${app.url}/api/v1/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ experiment: "id-probe" }) });
    return ((await res.json()) as { id: number }).id;
  };
  const field = (page: Page, path: string) => page.locator(`[data-field="${path}"]`);

  it("launches a pretraining run, its config pasted as JSON and checked in the form, that the app's own worker trains to the end", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await app.signIn(page);
    await page.goto(`${app.url}/launch`);
    await page.getByLabel("Experiment").fill("ui");
    await page.getByRole("button", { name: "JSON", exact: true }).click();
    await page.getByLabel("Config (JSON)").fill(JSON.stringify(tinyConfig, null, 2));
    await page.getByRole("button", { name: "Form", exact: true }).click();
    // the form shows the pasted config: one config, two views
    assert.equal(await page.locator('[name="data.limit"]').inputValue(), "512");
    assert.equal(await page.locator('[name="encoder.hidden"]').inputValue(), "64");
    assert.equal(await page.locator('[name="optimizer.name"]').inputValue(), "adam");
    assert.equal(await page.getByTestId("config-problems").count(), 0);
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

  it("checks every field as it is typed and queues nothing while one is wrong", async () => {
    const first = await nextRunId();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await app.signIn(page);
    await page.goto(`${app.url}/launch`);
    // sections from the schema, with the schema's help and defaults
    for (const section of ["Run", "Dataset", "Encoder", "Method", "Optimizer", "Schedule", "Augment"]) {
      await page.locator("summary").getByText(section, { exact: true }).waitFor();
    }
    assert.match(await field(page, "batchSize").innerText(), /Samples per micro-batch[\s\S]*integer ≥ 2/);
    assert.equal(await page.locator('[name="schedule.warmupSteps"]').getAttribute("placeholder"), "0");

    await page.locator('[name="optimizer.lr"]').fill("-1");
    await field(page, "optimizer.lr").getByText("Too small: expected number to be >0").waitFor();
    await page.locator('[name="encoder.kind"]').selectOption("cnn");
    await page.locator('[name="encoder.channels"]').fill("32, 0");
    await field(page, "encoder.channels").getByText("1: Too small: expected number to be >0").waitFor();
    await page.locator('[name="name"]').fill("x".repeat(201));
    await field(page, "name").getByText("must be at most 200 characters").waitFor();
    const problems = await page.getByTestId("config-problems").innerText();
    assert.match(problems, /3 fields need fixing/);
    assert.match(problems, /optimizer\.lr: Too small: expected number to be >0/);
    assert.match(problems, /encoder\.channels\.1: Too small: expected number to be >0/);
    assert.doesNotMatch(problems, /"code"/);
    await page.screenshot({ path: `${SHOTS}/launch-invalid.png`, fullPage: true });
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForTimeout(500);
    assert.match(page.url(), /\/launch$/, "a form with a bad field is not sent");

    // the JSON view edits the same config: it shows the bad values, and a fix there shows in the form
    await page.getByRole("button", { name: "JSON", exact: true }).click();
    const json = JSON.parse(await page.getByLabel("Config (JSON)").inputValue());
    assert.deepEqual([json.optimizer.lr, json.encoder.channels], [-1, [32, 0]]);
    await page.getByLabel("Config (JSON)").fill(JSON.stringify({ ...json, name: "fixed", optimizer: { ...json.optimizer, lr: 0.002 }, encoder: { kind: "cnn", channels: [8, 16] } }, null, 2));
    await page.getByRole("button", { name: "Form", exact: true }).click();
    assert.equal(await page.locator('[name="optimizer.lr"]').inputValue(), "0.002");
    assert.equal(await page.locator('[name="encoder.channels"]').inputValue(), "8, 16");
    assert.equal(await page.getByTestId("config-problems").count(), 0);

    // the server refuses what the form would: 400 with the field, for the API's clients
    const res = await app.fetch(`${app.url}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment: "ui", config: { ...tinyConfig, batchSize: -1 } }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: "config.batchSize: batchSize must be ≥ 2 (contrastive losses need negatives)" });
    const sweep = await app.fetch(`${app.url}/api/v1/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ base: tinyConfig, budget: 2, parameters: { "optimizer.lr": { values: [0.01, 0] } } }),
    });
    assert.equal(sweep.status, 400);
    assert.deepEqual(await sweep.json(), { error: "parameters.optimizer.lr: value 0: Too small: expected number to be >0" });
    assert.equal(await nextRunId(), first + 1, "nothing was stored");
    await page.close();
  });

  it("launches a sweep from the form: the sweep's fields, then the base config every trial starts from", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await app.signIn(page);
    await page.goto(`${app.url}/launch`);
    await page.getByLabel("What").selectOption("sweep");
    assert.equal(await page.getByLabel("Experiment").inputValue(), "sweeps");
    await page.locator('[name="base.optimizer.lr"]').waitFor();
    await page.locator('[name="parameters"]').fill(JSON.stringify({ "optimizer.lr": { values: [0.01, -0.1] } }));
    await field(page, "parameters").getByText("optimizer.lr: value -0.1: Too small: expected number to be >0").waitFor();
    await page.locator('[name="parameters"]').fill(JSON.stringify({ "optimizer.lr": { values: [0.01, 0.001] } }));
    await page.locator('[name="budget"]').fill("2");
    await page.locator('[name="base.data.limit"]').fill("256");
    await page.locator('[name="base.epochs"]').fill("1");
    assert.equal(await page.getByTestId("config-problems").count(), 0);
    await page.screenshot({ path: `${SHOTS}/launch-sweep.png`, fullPage: true });
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const parentId = Number(page.url().split("/").pop());
    const summary = (await (await app.fetch(`${app.url}/api/v1/runs/${parentId}/sweep`)).json()) as { trials: { params: Record<string, number> }[] };
    assert.deepEqual(
      summary.trials.map((t) => t.params["optimizer.lr"]),
      [0.01, 0.001],
    );
    await page.close();
  });
});
