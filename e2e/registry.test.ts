import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PretextClient } from "@/server/client";
import type { BenchmarkResultInput } from "@/server/services/benchmarks";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { launchChromium } from "./browser";

const VIEWPORT = { width: 1440, height: 900 };
/** The name the run page suggests for a fashion-mnist SimCLR run, so its Register button makes v3. */
const NAME = "fashion-mnist-simclr";
const BENCHMARK = "label-efficiency/fashion-mnist";
const ENCODER_FILE = readFileSync("examples/encoders/fashion-mnist-simclr.ptx");

interface PlotDiv extends HTMLElement {
  data: { name: string; x: number[]; line?: { dash?: string } }[];
  layout: { xaxis: { type: string; title: { text: string } } };
}

/** Means at 1 %, 10 %, 100 % labels; three seeds each, ±0.4 points apart. */
const MEANS = {
  good: { linear_probe: [0.8, 0.86, 0.9], knn: [0.77, 0.83, 0.87] },
  worse: { linear_probe: [0.73, 0.84, 0.9], knn: [0.77, 0.83, 0.87] },
  baselines: { supervised: [0.74, 0.84, 0.91], raw_linear: [0.72, 0.78, 0.84] },
};
const FRACTIONS = [0.01, 0.1, 1];

function results(encoderId: number, ssl: Record<string, number[]>): BenchmarkResultInput[] {
  const rows: BenchmarkResultInput[] = [];
  for (const [methods, id] of [[ssl, encoderId], [MEANS.baselines, null]] as const) {
    for (const [method, means] of Object.entries(methods)) {
      FRACTIONS.forEach((labelFraction, i) => {
        for (const seed of [0, 1, 2]) rows.push({ encoderId: id, benchmark: BENCHMARK, method, labelFraction, seed, metric: "test_accuracy", value: means[i] + (seed - 1) * 0.004 });
      });
    }
  }
  return rows;
}

describe("encoder registry pages in Chromium (next start)", () => {
  let app: AppServer;
  let client: PretextClient;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const versions: { id: number; version: number }[] = [];
  const runIds: number[] = [];
  const browserErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  before(async () => {
    shots = mkdtempSync(path.join(os.tmpdir(), "pretext-registry-shots-"));
    console.log(`screenshots: ${shots}`);
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    client = new PretextClient({ baseUrl: app.url, backoffMs: 20, token: app.token });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    page.on("pageerror", (e) => browserErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("explains how to register an encoder while there is none", async () => {
    await page.goto(`${app.url}/encoders`);
    const empty = page.getByTestId("encoders-empty");
    assert.match(await empty.innerText(), /No encoders registered yet[\s\S]*Register encoder[\s\S]*POST localhost:3000\/api\/v1\/encoders/);
    assert.ok(await page.locator(".topbar nav").getByRole("link", { name: "Encoders" }).isVisible());
    await shot("encoders-empty");
  });

  it("lists a name with its versions, overlays their curves and keeps a gate", async () => {
    // Two pretraining runs with the shipped encoder: two versions with weights of their own.
    for (const name of ["simclr-a", "simclr-b"]) {
      const run = await client.createRun({ experiment: "registry", name, config: { dataset: { kind: "fashion-mnist" }, method: { name: "simclr" } } });
      const tracker = client.tracker(run.id);
      await tracker.uploadArtifact("encoder.ptx", "encoder", ENCODER_FILE);
      await tracker.setStatus("finished");
      tracker.close();
      runIds.push(run.id);
      versions.push(await client.request("POST", "/api/v1/encoders", { name: NAME, runId: run.id, artifactName: "encoder.ptx" }));
    }
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    );
    for (const [v, means] of [[versions[0], MEANS.good], [versions[1], MEANS.worse]] as const) {
      const evaluation = await client.createRun({ experiment: "registry", name: `eval-v${v.version}` });
      await client.request("POST", "/api/v1/benchmarks/results", { runId: evaluation.id, results: results(v.id, means) });
      await client.tracker(evaluation.id).setStatus("finished");
    }

    await page.goto(`${app.url}/encoders`);
    const names = page.getByTestId("encoder-names");
    assert.match(await names.innerText(), new RegExp(`${NAME}\\s+2\\s+—\\s+—\\s+v2`));
    await shot("encoders-list");
    await names.getByRole("link", { name: NAME }).click();
    await page.waitForURL(`**/encoders/${NAME}`);
    const rows = await page.getByTestId("versions").locator("tbody tr").allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0], new RegExp(`^v2\\s+no stage\\s+pretext\\s+128\\s+run ${runIds[1]}`));
    assert.match(rows[1], new RegExp(`^v1\\s+no stage\\s+pretext\\s+128\\s+run ${runIds[0]}`));

    const plot = page.getByTestId("versions-chart");
    await plot.locator(".main-svg").first().waitFor();
    const traces = () => plot.evaluate((el: PlotDiv) => el.data.map((d) => `${d.name}:${d.line?.dash}`));
    assert.deepEqual(await traces(), ["v2:solid", "v1:solid", "raw_linear (baseline):dash", "supervised (baseline):dot"]);
    assert.deepEqual(await plot.evaluate((el: PlotDiv) => [el.layout.xaxis.type, el.layout.xaxis.title.text]), ["log", "labeled fraction of the training set (% labels, log scale)"]);
    assert.equal(await page.getByTestId("curve-method").inputValue(), "linear_probe");
    await page.getByTestId("curve-method").selectOption("knn");
    await page.waitForFunction(() => (document.querySelector("[data-testid=versions-chart]") as unknown as PlotDiv).data[0].name === "v2");
    assert.equal(await page.getByTestId("curve-method").inputValue(), "knn");
    await page.getByTestId("curve-method").selectOption("linear_probe");

    assert.match(await page.getByTestId("gate-rules").innerText(), /No gate/);
    const editor = page.getByTestId("gate-editor");
    await editor.getByLabel("rule 1 method").fill("linear_probe");
    await editor.getByLabel("rule 1 % labels").fill("1");
    await editor.getByLabel("rule 1 baseline").fill("supervised");
    await editor.getByLabel("rule 1 margin").fill("0.02");
    await editor.getByRole("button", { name: "Save gate" }).click();
    await page.getByTestId("gate-rules").getByText("test_accuracy of linear_probe at 1 % labels ≥ supervised + 0.02").waitFor();
    await shot("encoder-name");
  });

  it("refuses production outside the gate with the server's words, and records a promotion with its reason", async () => {
    const v2 = versions[1];
    await page.goto(`${app.url}/encoders/${NAME}/v/2`);
    const checks = page.getByTestId("gate-checks");
    assert.match(await checks.innerText(), /✗ fails[\s\S]*linear_probe 0\.73 \(mean of 3\) < 0\.76/);
    await page.getByRole("button", { name: "Production" }).click();
    await page.getByLabel("reason").fill("try it");
    await page.getByRole("button", { name: "Move to production" }).click();
    const refusal = page.getByTestId("stage-error");
    await refusal.waitFor();
    const viaApi = await client.request("POST", `/api/v1/encoders/${v2.id}/stage`, { stage: "production", reason: "try it" }).catch((e: Error) => e.message);
    assert.equal(`POST /api/v1/encoders/${v2.id}/stage: 409 ${await refusal.innerText()}`, viaApi, "the refusal is shown as the server words it");
    assert.match(await refusal.innerText(), new RegExp(`^stage: ${NAME} v2 does not meet its promotion gate: linear_probe 0\\.73`));
    assert.match(await page.locator("h1").innerText(), /no stage/);
    await shot("version-refused");

    await page.goto(`${app.url}/encoders/${NAME}/v/1`);
    const lineage = await page.getByTestId("lineage").innerText();
    assert.match(lineage, new RegExp(`^run\\s+simclr-a\\s+finished\\s+run ${runIds[0]}\\s+→\\s+weights`, "i"));
    assert.match(lineage, /weights\s+encoder\.ptx\s+1\.\d MiB · sha256 [0-9a-f]{12}…\s+→\s+dataset\s+not recorded/i);
    assert.match(lineage, /evaluations\s+eval-v1\s+label-efficiency\/fashion-mnist\s+→\s+deployments\s+none$/i);
    assert.equal(await page.getByTestId("lineage").getByRole("link", { name: "simclr-a" }).getAttribute("href"), `/runs/${runIds[0]}`);
    const onnx = page.getByTestId("onnx");
    const onnxLink = onnx.getByRole("link", { name: `exports/${NAME}-v1.onnx` });
    assert.equal(await onnxLink.getAttribute("href"), `/api/v1/runs/${runIds[0]}/artifacts/exports/${NAME}-v1.onnx`);
    const download = await app.fetch(`${app.url}${await onnxLink.getAttribute("href")}`);
    assert.equal(download.status, 200);
    assert.match(await onnx.innerText(), new RegExp(`sha256\\s+${download.headers.get("x-sha256")}`));
    assert.match(await page.getByTestId("model-spec").innerText(), /input: \[28, 28, 1\] nhwc · 784 values per sample/);
    assert.match(await page.getByTestId("gate-checks").innerText(), /✓ passes\s+80 %\s+76 %/);
    await page.getByRole("button", { name: "Production" }).click();
    await page.getByLabel("reason").fill("beats supervised by 6 points at 1 % labels");
    await page.getByRole("button", { name: "Move to production" }).click();
    await page.locator("h1 .stage-production").waitFor();
    const history = await page.getByTestId("stage-history").innerText();
    assert.match(history, /no stage\s+→\s+production\s+user:admin\s+beats supervised by 6 points at 1 % labels\s+✓ linear_probe 0\.8 \(mean of 3\) ≥ 0\.76/);
    assert.equal(await page.getByRole("button", { name: "Production" }).isDisabled(), true);
    await shot("version-promoted");
  });

  it("compares two versions with Δ ± SE, coloured only where it exceeds two standard errors", async () => {
    const [v1, v2] = versions;
    await page.goto(`${app.url}/encoders/${NAME}`);
    const picker = page.getByTestId("compare-picker");
    await picker.getByLabel("version a").selectOption(String(v1.id));
    await picker.getByLabel("version b").selectOption(String(v2.id));
    await picker.getByRole("button", { name: "Compare" }).click();
    await page.waitForURL(`**/encoders/${NAME}/compare?a=${v1.id}&b=${v2.id}`);
    const rows = await page
      .getByTestId("version-diff")
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => ({ text: td.innerText, verdict: td.dataset.verdict }))));
    const row = (method: string, labels: string) => rows.find((cells) => cells[2].text === method && cells[3].text === labels)!;
    assert.equal(rows.length, 2 * 3, "two SSL methods (baselines use no encoder) at three fractions");
    assert.deepEqual(row("linear_probe", "1%").slice(4).map((c) => c.text), ["80 % ± 0.4 pp (n = 3)", "73 % ± 0.4 pp (n = 3)", "−7 pp ± 0.3266 pp"]);
    assert.equal(row("linear_probe", "1%")[6].verdict, "worse");
    assert.equal(row("knn", "10%")[6].verdict, "unclear");
    assert.equal(row("knn", "10%")[6].text, "±0 pp ± 0.3266 pp");
    await shot("compare");
  });

  it("creates a deployment that serves the production version, with the curl that calls it", async () => {
    await page.goto(`${app.url}/encoders/${NAME}`);
    const form = page.getByTestId("create-deployment");
    await form.getByLabel("deployment name").fill("fm-prod");
    await form.getByLabel("sampled percent").fill("5");
    await form.getByRole("button", { name: "Create deployment" }).click();
    const table = page.getByTestId("deployments");
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /fm-prod[\s\S]*5 %\s+30 days\s+v1/);
    const curl = await table.locator("pre.curl").innerText();
    assert.equal(curl, `curl -s -X POST localhost:3000/api/v1/deployments/fm-prod/embed -H 'content-type: application/json' -d '{"inputs": [[...784 numbers...]]}'`);
    const served = await client.request<{ encoder: { version: number }; dim: number; embeddings: number[][] }>("POST", "/api/v1/deployments/fm-prod/embed", { inputs: [Array(784).fill(0)] });
    assert.deepEqual([served.encoder.version, served.dim, served.embeddings.length, served.embeddings[0].length], [1, 128, 1, 128]);
    // the request log is written in bulk about every second; the table then counts the request
    const traffic = page.getByTestId("deployment-traffic");
    for (let tries = 0; !/^1 request, 1 input/.test(await traffic.innerText()); tries++) {
      assert.ok(tries < 20, `traffic never showed the request: ${await traffic.innerText()}`);
      await new Promise((r) => setTimeout(r, 500));
      await page.reload();
    }
    assert.match(await traffic.innerText(), /p50 [\d.]+ ms · p99 [\d.]+ ms · 0 failed/);
    await shot("encoder-deployed");
  });

  it("registers a finished run's encoder from its page as the next version", async () => {
    await page.goto(`${app.url}/runs/${runIds[1]}`);
    await page.getByRole("button", { name: "Register encoder" }).click();
    const form = page.getByTestId("register-encoder");
    assert.equal(await form.getByLabel("encoder name").inputValue(), NAME);
    await form.getByLabel("description").fill("registered from the run page");
    await shot("run-register-form");
    await form.getByRole("button", { name: "Register" }).click();
    const done = page.getByTestId("registered");
    await done.waitFor({ timeout: 30_000 });
    assert.equal(await done.innerText(), `Registered ${NAME} v3`);
    await page.getByTestId("artifacts").getByText(`exports/${NAME}-v3.onnx`).waitFor();
    await shot("run-registered");
    await done.getByRole("link").click();
    await page.waitForURL(`**/encoders/${NAME}/v/3`);
    assert.match(await page.locator("h1").innerText(), new RegExp(`${NAME} v3`));
    assert.match(await page.locator(".facts").innerText(), /registered from the run page/);
    assert.match(await page.getByTestId("stage-history").innerText(), /Never moved/);
  });

  it("shows the not-found page for an unknown name or version, and addresses names with spaces", async () => {
    for (const [url, title] of [
      ["/encoders/no-such-encoder", "No encoder “no-such-encoder”"],
      [`/encoders/${NAME}/v/99`, `${NAME} v99 not found`],
      [`/encoders/${NAME}/v/latest`, `No version “latest” of ${NAME}`],
      [`/encoders/${NAME}/compare?a=1&b=999`, `Cannot compare these versions of ${NAME}`],
    ]) {
      const res = await page.goto(`${app.url}${url}`);
      assert.equal(res?.status(), 404, url);
      assert.equal(await page.getByTestId("not-found").locator("h1").innerText(), title);
      if (url.endsWith("/v/99")) await shot("version-not-found");
    }
    const spaced = await client.request<{ version: number }>("POST", "/api/v1/encoders", { name: "fm simclr (copy)", runId: runIds[0], artifactName: "encoder.ptx" });
    await page.goto(`${app.url}/encoders`);
    await page.getByTestId("encoder-names").getByRole("link", { name: "fm simclr (copy)" }).click();
    await page.locator("h1", { hasText: "fm simclr (copy)" }).waitFor();
    await page.getByTestId("versions").getByRole("link", { name: `v${spaced.version}` }).click();
    await page.locator("h1", { hasText: `fm simclr (copy) v${spaced.version}` }).waitFor();
    await page.goto(`${app.url}/encoders`);
    await shot("encoders-list-final");
    assert.deepEqual(browserErrors, []);
  });
});
