import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { PretextClient } from "@/server/client";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { launchChromium } from "./browser";

const SHOTS = "test-output/screenshots";
const VIEWPORT = { width: 1440, height: 900 };

/** What plotly keeps on a chart's div: the traces and layout it drew. */
interface PlotDiv extends HTMLElement {
  data: { type?: string; name: string; x: number[]; y: number[]; line?: { dash?: string }; marker?: { color?: string }; error_y?: { array: number[] } }[];
  layout: { xaxis: { type: string; title: { text: string } }; yaxis: { title: { text: string } }; shapes?: { type: string; x0: number }[] };
  e2eMark?: string;
}
const plotOf = (container: Locator) => container.locator(".js-plotly-plot").first();

/** Resizes the window and waits until every plot has been redrawn to its box's new width. */
async function resizeTo(page: Page, size: { width: number; height: number }) {
  await page.setViewportSize(size);
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>(".js-plotly-plot")].every((el) => Math.abs(el.querySelector(".main-svg")!.getBoundingClientRect().width - el.clientWidth) < 2),
  );
}

describe("run page, benchmarks and embedding map in Chromium (next start)", () => {
  let app: AppServer;
  let client: PretextClient;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // No embedded worker: launched evaluations stay queued, so what the page shows is deterministic.
    app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
    client = new PretextClient({ baseUrl: app.url, backoffMs: 20, token: app.token });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("grows a training run's charts in place, shows health and the collapse warning, and stops polling when it ends", async () => {
    const run = await client.createRun({ experiment: "pages", name: "simclr-live", config: { method: { name: "simclr" }, dataset: { kind: "fashion-mnist" } } });
    const tracker = client.tracker(run.id);
    await tracker.setExecution({ backend: "wasm", worker: "e2e-worker-1" });
    await tracker.logParams({ method: "simclr", lr: 0.001, batch_size: 256 });
    const loss = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: "train/loss", step: from + i, value: 4 * Math.exp(-(from + i) / 40) + 0.3 }));
    const health = (step: number, rank: number) => [
      { key: "health/std_ratio", step, value: rank > 2 ? 0.8 : 0.01 },
      { key: "health/effective_rank", step, value: rank },
      { key: "health/alignment", step, value: 0.4 },
      { key: "health/uniformity", step, value: rank > 2 ? -2.5 : -0.02 },
    ];
    tracker.logMetrics([...loss(0, 20), ...health(10, 9.5), ...health(20, 7.1)]);
    await tracker.flush();

    const page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    await page.goto(`${app.url}/runs/${run.id}`);
    const chart = page.getByTestId("chart-train/loss");
    await chart.getByText("20 points").waitFor();
    const plot = plotOf(chart);
    await plot.evaluate((el: PlotDiv) => (el.e2eMark = "first plot"));
    const boxBefore = await chart.boundingBox();
    assert.match(await page.locator(".facts").innerText(), /Backend\s+wasm[\s\S]*Worker\s+e2e-worker-1/);
    assert.equal(await page.getByTestId("health").locator(".chart").count(), 4);
    assert.equal(await page.getByTestId("collapse-warning").count(), 0);
    await page.screenshot({ path: `${SHOTS}/run-live-start.png`, fullPage: true });

    const seriesRequests: string[] = [];
    page.on("request", (r) => r.url().includes("metrics.series") && seriesRequests.push(decodeURIComponent(r.url())));
    tracker.logMetrics([...loss(20, 80), ...health(40, 1.01)]);
    await tracker.flush();
    await chart.getByText("80 points").waitFor({ timeout: 15_000 });
    // Same plot element, now holding every point: updated by Plotly.react, not re-created.
    assert.deepEqual(await plot.evaluate((el: PlotDiv) => [el.e2eMark, el.data[0].x.length]), ["first plot", 80]);
    assert.deepEqual(await chart.boundingBox(), boxBefore, "the chart must not move or resize while it grows");
    assert.ok(seriesRequests.some((u) => u.includes('"key":"train/loss","maxPoints":1000,"stepFrom":20')), "only the new tail is fetched");
    assert.equal(await plot.evaluate((el: PlotDiv) => el.data[0].y[79]), 4 * Math.exp(-79 / 40) + 0.3);
    await tracker.setTags({ warning: "collapse: embedding std ratio 0.010 < 0.05; effective rank 1.01 < 2 (epoch 2, step 40)" });
    const banner = page.getByTestId("collapse-warning");
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /Representation collapse[\s\S]*effective rank 1\.01 < 2/);
    assert.equal(await plotOf(page.getByTestId("chart-health/effective_rank")).evaluate((el: PlotDiv) => el.data[0].y.at(-1)), 1.01);
    await page.screenshot({ path: `${SHOTS}/run-live-grown.png`, fullPage: true });
    await resizeTo(page, { width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/run-live-laptop.png` });

    await tracker.setStatus("finished");
    tracker.close();
    await page.locator("h1 .status-finished").waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="run-charts"][data-live="no"]').waitFor();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.waitForTimeout(4500);
    assert.deepEqual(requests.filter((u) => u.includes("/api/trpc")), [], "a finished run is not polled");
    await page.close();
  });

  it("explains its charts: units, system metrics against wall time, curriculum marks, values it cannot draw, results per seed", async () => {
    const run = await client.createRun({ experiment: "pages", name: "simclr-curriculum" });
    const tracker = client.tracker(run.id);
    const created = Date.UTC(2026, 0, 2, 12);
    const difficulty = (step: number) => Math.min(1, 0.3 + (0.7 * step) / 64); // start 0.3, ramp over 64 steps
    tracker.logMetrics([
      ...Array.from({ length: 128 }, (_, step) => [
        { key: "loss", step, value: 5 - step / 100 },
        { key: "curriculum/difficulty", step, value: difficulty(step) },
        { key: "grad_norm", step, value: step === 70 ? 1.7976931348623157e308 : step === 71 ? Number.NaN : 2 },
      ]).flat(),
      ...[0, 5, 10].map((sec) => ({ key: "system/cpu_percent", step: sec, value: 80 + sec, wallTime: created + sec * 1000 })),
      ...[0, 1, 2].map((seed) => ({ key: "eval/linear_probe/1pct", step: seed, value: 0.7 + seed / 100 })),
    ]);
    await tracker.setStatus("finished");
    tracker.close();
    const page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    await page.goto(`${app.url}/runs/${run.id}`);
    const layoutOf = async (key: string) => {
      const plot = plotOf(page.getByTestId(`chart-${key}`));
      await plot.locator(".main-svg").first().waitFor();
      return plot.evaluate((el: PlotDiv) => ({ x: el.layout.xaxis.title.text, type: el.layout.xaxis.type, y: el.layout.yaxis.title.text, lines: (el.layout.shapes ?? []).filter((s) => s.type === "line").map((s) => s.x0) }));
    };
    assert.deepEqual(await layoutOf("loss"), { x: "step", type: "linear", y: "loss", lines: [19, 42, 64] });
    assert.match(await page.getByTestId("curriculum-caption").innerText(), /ramps up from 30% at step 0 to full strength at step 64\..*expected, not a divergence/);
    assert.deepEqual(await layoutOf("system/cpu_percent"), { x: "wall time (UTC)", type: "date", y: "CPU busy (%)", lines: [] });
    assert.deepEqual(await layoutOf("eval/linear_probe/1pct"), { x: "seed", type: "linear", y: "test accuracy (%)", lines: [] });
    // the values it cannot draw are gaps, said above the chart; the rest is drawn (a finite path)
    const gradNorm = page.getByTestId("chart-grad_norm");
    assert.equal(await gradNorm.getByTestId("not-drawn").innerText(), "2 values not drawn: 1 NaN, 1 off-scale (|v| > 1e300)");
    const paths = await gradNorm.locator(".scatterlayer path.js-line").evaluateAll((els) => els.map((e) => e.getAttribute("d") ?? ""));
    assert.equal(paths.length, 2, "the gap splits the line in two");
    assert.ok(paths.every((d) => /^M[\d.,L-]+$/.test(d)), `finite SVG paths: ${paths.join(" | ")}`);
    await page.screenshot({ path: `${SHOTS}/run-chart-explanations.png`, fullPage: true });
    await page.close();
  });

  it("lists artifacts with download links, shows a failure reason, and launches an evaluation of the encoder", async () => {
    const failed = await client.createRun({ experiment: "pages", name: "diverged" });
    await client.tracker(failed.id).setStatus("failed", "loss became NaN at step 12 (lr 3.0 too high?)");
    const page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    await page.goto(`${app.url}/runs/${failed.id}`);
    assert.match(await page.getByTestId("status-reason").innerText(), /^Failed: loss became NaN at step 12/);
    assert.equal(await page.getByRole("button", { name: "Launch evaluation" }).count(), 0);

    const pre = await client.createRun({ experiment: "pages", name: "simclr-done", config: { dataset: { kind: "fashion-mnist" }, method: { name: "simclr" } } });
    const tracker = client.tracker(pre.id);
    await tracker.uploadArtifact("encoder.ptx", "encoder", new Uint8Array(3000).fill(7));
    await tracker.uploadArtifact("checkpoints/latest.ckpt", "checkpoint", new Uint8Array([1, 2, 3]));
    await tracker.setStatus("finished");
    tracker.close();
    await page.goto(`${app.url}/runs/${pre.id}`);
    const link = page.getByTestId("artifacts").getByRole("link", { name: "encoder.ptx" });
    assert.equal(await link.getAttribute("href"), `/api/v1/runs/${pre.id}/artifacts/encoder.ptx`);
    assert.match(await page.getByTestId("artifacts").innerText(), /encoder\.ptx\s+encoder\s+2\.9 KiB/);
    const download = await Promise.all([page.waitForEvent("download"), link.click()]).then(([d]) => d);
    assert.equal(download.suggestedFilename(), "encoder.ptx");

    await page.getByRole("button", { name: "Launch evaluation" }).click();
    await page.waitForURL((u) => /\/runs\/\d+$/.test(u.pathname) && u.pathname !== `/runs/${pre.id}`);
    await page.getByRole("heading", { name: /eval-simclr-done/ }).waitFor();
    const facts = await page.locator(".facts").innerText();
    assert.match(facts, /Job\s+evaluate/);
    assert.match(facts, new RegExp(`encoder_run\\s+run ${pre.id}`));
    const evalId = Number(new URL(page.url()).pathname.split("/").at(-1));
    const evalRun = await client.getRun(evalId);
    assert.equal(evalRun.status, "queued");
    assert.deepEqual(evalRun.config, { encoder: { runId: pre.id, artifact: "encoder.ptx" }, suite: { dataset: { kind: "fashion-mnist" } } });
    await page.screenshot({ path: `${SHOTS}/run-evaluation-launched.png`, fullPage: true });
    await page.close();
  });

  it("shows the benchmark leaderboard, the label-efficiency chart and an embedding map", async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await app.signIn(page);
    await page.goto(`${app.url}/benchmarks`);
    await page.getByTestId("benchmarks-empty").waitFor();
    await page.screenshot({ path: `${SHOTS}/benchmarks-empty.png` });

    // Two encoders, each evaluated by its own run with three protocols and both baselines.
    const fractions = [0.01, 0.1, 1];
    const evalRuns: number[] = [];
    for (const [name, skill] of [["simclr-fm", 0.06], ["byol-fm", 0.03]] as const) {
      const pre = await client.createRun({ experiment: "pretrain", name });
      await client.tracker(pre.id).uploadArtifact("encoder.ptx", "encoder", readFileSync("examples/encoders/fashion-mnist-simclr.ptx"));
      const evalRun = await client.createRun({ experiment: "evaluation", name: `eval-${name}` });
      evalRuns.push(evalRun.id);
      const tracker = client.tracker(evalRun.id);
      const encoder = await tracker.registerEncoder({ name, runId: pre.id, artifactName: "encoder.ptx" });
      const results = [];
      for (const [method, base, isBaseline] of [["linear_probe", 0.72, false], ["knn", 0.7, false], ["finetune", 0.74, false], ["supervised", 0.55, true], ["raw_linear", 0.6, true]] as const) {
        for (const [i, f] of fractions.entries()) {
          for (const seed of [0, 1, 2]) {
            const gain = isBaseline ? 0.14 * i : skill + 0.05 * i;
            // the networks on labeled images report what they chose: seeds 0 and 2 a crop, seed 1 a crop and flip
            const settings = method === "finetune" || method === "supervised" ? { policy: seed === 1 ? "crop+flip" : "crop", lr: 0.002, steps: 800, folds: 3, budgetSteps: 10400 } : undefined;
            results.push({ encoderId: isBaseline ? null : encoder.id, benchmark: "label-efficiency/fashion-mnist", method, labelFraction: f, seed, metric: "test_accuracy", value: base + gain + (seed - 1) * 0.01 * (3 - i), settings });
          }
        }
      }
      await tracker.logBenchmarkResults(results);
      await tracker.setStatus("finished");
      tracker.close();
    }
    // Ten Gaussian clusters on a circle and 100 unlabeled points in the middle (seeded, Box-Muller).
    let seed = 42;
    const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
    const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const points = Array.from({ length: 1200 }, (_, i) => {
      const label = i < 1100 ? i % 10 : null;
      const angle = ((label ?? 0) / 10) * 2 * Math.PI;
      const r = label === null ? 0 : 3;
      return { x: r * Math.cos(angle) + gaussian() * 0.5, y: r * Math.sin(angle) + gaussian() * 0.5, label };
    });
    const classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    const map = { method: "pca", encoder: { id: 1, name: "simclr-fm", version: 1 }, explained_variance: [0.231, 0.12], class_names: classNames, points };
    await client.tracker(evalRuns[0]).uploadArtifact("embeddings-2d.json", "embedding-map", new TextEncoder().encode(JSON.stringify(map)));

    await page.goto(`${app.url}/benchmarks`);
    const board = page.getByTestId("leaderboard");
    await board.waitFor();
    const rows = await board.locator("tbody tr").allInnerTexts();
    assert.equal(rows.length, 6 + 2);
    assert.match(rows[0], /^1\s+simclr-fm v1\s+finetune\s+80\.0 ± 3\.0 %/);
    assert.match(rows[6], /baseline\s+raw_linear/);
    const chart = plotOf(page.getByTestId("label-efficiency-chart").locator(".."));
    await chart.locator(".main-svg").first().waitFor();
    const drawn = await chart.evaluate((el: PlotDiv) => ({
      axis: el.layout.xaxis.type,
      traces: el.data.map((t) => [t.name, t.line?.dash, t.x.length, t.error_y?.array.length]),
    }));
    assert.equal(drawn.axis, "log");
    assert.deepEqual(drawn.traces, [
      ["finetune", "solid", 3, 3],
      ["knn", "solid", 3, 3],
      ["linear_probe", "solid", 3, 3],
      ["raw_linear (baseline)", "dash", 3, 3],
      ["supervised (baseline)", "dot", 3, 3],
    ]);
    const chosen = (await page.getByTestId("chosen-settings").locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " "));
    assert.equal(chosen.length, 6); // finetune and supervised at 3 fractions; the others chose nothing
    assert.equal(chosen[0], "finetune 1% policy crop / crop+flip · lr 0.002 · 800 steps · 3-fold CV · budget 10400 steps");
    assert.match(chosen[5], /^supervised \(baseline\) 100% policy crop \/ crop\+flip/);
    await page.screenshot({ path: `${SHOTS}/benchmarks.png`, fullPage: true });
    await resizeTo(page, { width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/benchmarks-laptop.png` });
    await resizeTo(page, VIEWPORT);

    await page.getByRole("link", { name: "knn", exact: true }).click();
    await page.waitForURL(/protocol=knn/);
    assert.equal(await board.locator("tbody tr").count(), 2 + 2);
    await board.getByRole("link", { name: "byol-fm v1" }).click();
    await page.waitForURL(/encoder=2/);
    await page.getByRole("heading", { name: "Label efficiency — byol-fm v1" }).waitFor();

    await board.getByRole("link", { name: "embedding map" }).first().click();
    await page.waitForURL(new RegExp(`/runs/${evalRuns[0]}#embedding-map$`));
    const mapPlot = plotOf(page.getByTestId("embedding-map"));
    await mapPlot.locator("canvas").first().waitFor();
    const traces = await mapPlot.evaluate((el: PlotDiv) => el.data.map((t) => [t.type, t.name, t.x.length, t.marker?.color]));
    assert.equal(traces.length, 11);
    assert.deepEqual(traces[0], ["scattergl", "no label", 100, "#afb8c1"]);
    assert.deepEqual(traces.slice(1).map((t) => [t[1], t[2]]), classNames.map((name) => [name, 110]));
    assert.match(await page.getByTestId("embedding-map").innerText(), /PCA of 1,200 embeddings · simclr-fm v1[\s\S]*axis 1 23\.1% · axis 2 12\.0%/);
    await page.getByTestId("label-efficiency-chart").locator(".main-svg").first().waitFor();
    await page.getByTestId("embedding-map").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/embedding-map.png`, fullPage: true });
    await page.close();
  });
});
