/**
 * `npm run bench -- responsiveness [samples]`: does training block serving? Starts the built app
 * (`next start`) on a fresh embedded database (PGlite, embedded worker), seeds a run with a 10,000-
 * point series, then times a run-page load and a metrics API read, idle and while the embedded
 * worker pretrains the SimCLR example; then the time from Cancel to the run showing cancelled.
 * Targets (issue "the first hour"): p95 while training ≤ 2× idle (and ≤ 500 ms for the API read),
 * cancel ≤ 5 s.
 */
import { waitFor } from "@/server/testing/wait-for";
import { readFileSync } from "node:fs";
import { authHeaders } from "./lib/auth";
import { startApp } from "@/server/testing/app-server";
import { percentile, printFigures, printTable } from "./lib/report";

const SIMCLR_EXAMPLE = "workers/engine/configs/fashion-mnist-simclr.json";

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...authHeaders() }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: authHeaders() });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return performance.now() - started;
}

/** Latencies of `samples` sequential loads of each URL, interleaved. */
async function sample(urls: Record<string, string>, samples: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(urls).map((k) => [k, []]));
  for (let i = 0; i < samples; i++) {
    for (const [k, url] of Object.entries(urls)) out[k].push(await timed(url));
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

async function runStatus(base: string, id: number): Promise<{ status: string; backend: string | null }> {
  const res = await fetch(`${base}/api/v1/runs/${id}`, { headers: authHeaders() });
  return res.json() as Promise<{ status: string; backend: string | null }>;
}


export async function main(args: string[]) {
  const samples = Number(args[0] ?? 40);
  const app = await startApp({ PRETEXT_EMBEDDED_WORKER: "1" });
  process.env.PRETEXT_TOKEN = app.token;
  try {
    const base = app.url;
    const seeded = await post<{ id: number }>(`${base}/api/v1/runs`, { experiment: "responsiveness", name: "seeded" });
    const metrics = Array.from({ length: 10_000 }, (_, step) => ({ key: "train/loss", step, value: Math.exp(-step / 2000) }));
    await post(`${base}/api/v1/runs/${seeded.id}/log`, { metrics });
    const urls = { page: `${base}/runs/${seeded.id}`, api: `${base}/api/v1/runs/${seeded.id}/metrics/train/loss?maxPoints=1000` };
    await sample(urls, 3); // warm the routes
    const idle = await sample(urls, samples);

    const config = { ...JSON.parse(readFileSync(SIMCLR_EXAMPLE, "utf8")), epochs: 50 };
    const { run } = await post<{ run: { id: number } }>(`${base}/api/v1/jobs`, { kind: "pretrain", experiment: "responsiveness", config });
    await waitFor("training to log its first steps", async () => {
      const res = await fetch(`${base}/api/v1/runs/${run.id}/metrics/loss`, { headers: authHeaders() });
      return res.ok && ((await res.json()) as { total: number }).total >= 3;
    }, 300_000);
    const training = await sample(urls, samples);
    if ((await runStatus(base, run.id)).status !== "running") throw new Error(`run ${run.id} stopped training during the measurement`);
    const { backend } = await runStatus(base, run.id);

    const asked = performance.now();
    await post(`${base}/api/v1/runs/${run.id}/cancel`, {});
    // the run says cancelled at once; the worker must also stop: the attempt log shows when it did
    await waitFor("the worker to stop the run", async () => {
      const res = await fetch(`${base}/api/v1/runs/${run.id}`, { headers: authHeaders() });
      const body = (await res.json()) as { status: string; attempts?: { outcome: string }[] };
      return body.status === "cancelled" && body.attempts?.every((a) => a.outcome !== "running");
    }, 60_000);
    const cancelMs = performance.now() - asked;

    const row = (name: string, values: number[]) => [name, percentile(values, 50), percentile(values, 95)];
    printTable(`Latency (ms), ${samples} loads each; training: SimCLR CNN example on ${backend} in the embedded worker thread`, ["request", "p50", "p95"], [
      row("run page, idle", idle.page),
      row("run page, training", training.page),
      row("metrics API read, idle", idle.api),
      row("metrics API read, training", training.api),
    ]);
    printTable("Cancel", ["from", "ms"], [["POST cancel -> worker stopped", cancelMs]]);
    const r1 = (v: number) => Math.round(v * 10) / 10;
    printFigures({
      api_p95_ms_idle: r1(percentile(idle.api, 95)),
      api_p95_ms_training: r1(percentile(training.api, 95)),
      page_p95_ms_idle: r1(percentile(idle.page, 95)),
      page_p95_ms_training: r1(percentile(training.page, 95)),
      cancel_ms: Math.round(cancelMs),
    });
  } finally {
    await app.stop();
  }
}
