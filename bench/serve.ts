/**
 * `npm run bench -- serve [--images-per-request 8] [--seconds 8] [--no-torch]`
 *
 * Serving the reference CNN encoder (examples/encoders/fashion-mnist-simclr.ptx, exported to ONNX):
 *   1. in-process embedding throughput of the serving runtime at batch 256 (and of the tfjs fallback);
 *   2. PyTorch CPU inference of the same network (../shared/tools/torch_throughput.py cnn infer);
 *   3. the HTTP endpoint of a running app under concurrency 1, 8 and 32: p50/p99 latency and images/s,
 *      each request carrying `--images-per-request` Fashion-MNIST test images as JSON arrays.
 * Targets (issue 15): in-process ≥ 5× PyTorch CPU; HTTP at concurrency 32 ≥ 50 % of in-process.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pretextModelSpec } from "@/server/registry/model-spec";
import { exportToOnnx } from "@/server/registry/onnx-export";
import { preprocess } from "@/server/serving/preprocess";
import { loadModel } from "@/server/serving/runtime";
import { authHeaders } from "./lib/auth";
import { startApp } from "@/server/testing/app-server";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { percentile, printFigures, printTable } from "./lib/report";
import { torchImagesPerS } from "./lib/torch";

const here = path.dirname(fileURLToPath(import.meta.url));
const ENCODER = path.resolve(here, "../examples/encoders/fashion-mnist-simclr.ptx");
const BATCH = 256;

async function post(url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...authHeaders() }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** images/s of `run` on batches of BATCH, best of a few timed rounds after a warm-up. */
async function inProcess(runtime: "onnxruntime-node" | "tfjs", onnx: Uint8Array, raw: Float32Array, rounds: number): Promise<number> {
  const previous = process.env.PRETEXT_SERVE_RUNTIME;
  process.env.PRETEXT_SERVE_RUNTIME = runtime;
  const spec = pretextModelSpec([28, 28, 1], false);
  const model = await loadModel(onnx, spec);
  process.env.PRETEXT_SERVE_RUNTIME = previous ?? "";
  try {
    const input = preprocess(raw.subarray(0, BATCH * 784), BATCH, spec);
    await model.run(input, BATCH);
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const started = performance.now();
      const steps = runtime === "tfjs" ? 1 : 10;
      for (let s = 0; s < steps; s++) await model.run(input, BATCH);
      best = Math.max(best, (steps * BATCH) / ((performance.now() - started) / 1000));
    }
    return best;
  } finally {
    await model.dispose();
  }
}

/**
 * `concurrency` clients posting back to back for `seconds`: latencies (ms) and images/s. The client
 * shares the machine with the server, so it spends as little as it can: bodies serialized once,
 * node:http on kept-alive connections (fetch costs several times more CPU per request).
 */
async function load(url: string, bodies: string[], imagesPerBody: number, concurrency: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const send = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...authHeaders() } }, (res) => {
        res.on("data", () => {});
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`embed: ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let i = c; performance.now() < deadline; i += concurrency) {
        const t0 = performance.now();
        await send(bodies[i % bodies.length]);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  agent.destroy();
  const elapsed = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), imagesPerS: (latencies.length * imagesPerBody) / elapsed, requests: latencies.length };
}

export async function main(args: string[]) {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const perRequest = flag("--images-per-request", 8);
  const seconds = flag("--seconds", 8);
  const ptx = readFileSync(ENCODER);
  const onnx = exportToOnnx(ptx);
  const test = (await loadDataset({ kind: "fashion-mnist" })).test!;
  const raw = Float32Array.from((test.x as Uint8Array).subarray(0, 2048 * 784));

  const embed = await inProcess("onnxruntime-node", onnx, raw, 5);
  const tfjs = await inProcess("tfjs", onnx, raw, 2);
  const torch = args.includes("--no-torch") ? "skipped" : torchImagesPerS("cnn", "infer", 30);

  const app = await startApp({ PRETEXT_EMBEDDED_WORKER: "0" });
  process.env.PRETEXT_TOKEN = app.token;
  const measured: Record<number, Awaited<ReturnType<typeof load>>> = {};
  let runtime = "";
  try {
    const base = app.url;
    const run = (await (await post(`${base}/api/v1/runs`, { experiment: "serve-bench", name: "reference-cnn" })).json()) as { id: number };
    const put = await fetch(`${base}/api/v1/runs/${run.id}/artifacts/encoder.ptx?kind=encoder`, { method: "PUT", body: ptx, headers: authHeaders() });
    if (!put.ok) throw new Error(`artifact upload: ${put.status} ${await put.text()}`);
    const encoder = (await (await post(`${base}/api/v1/encoders`, { name: "reference-cnn", runId: run.id, artifactName: "encoder.ptx" })).json()) as { id: number };
    await post(`${base}/api/v1/encoders/${encoder.id}/stage`, { stage: "production", reason: "serve benchmark" });
    await post(`${base}/api/v1/deployments`, { name: "bench", encoderName: "reference-cnn", sampleRate: 0.01 });
    const url = `${base}/api/v1/deployments/bench/embed`;
    const images = Array.from({ length: 2048 }, (_, i) => Array.from(raw.subarray(i * 784, (i + 1) * 784)));
    const bodies = Array.from({ length: Math.floor(images.length / perRequest) }, (_, r) => JSON.stringify({ inputs: images.slice(r * perRequest, (r + 1) * perRequest) }));
    runtime = ((await (await post(url, JSON.parse(bodies[0]))).json()) as { runtime: string }).runtime;
    await load(url, bodies, perRequest, 8, 2); // warm up
    for (const c of [1, 8, 32]) measured[c] = await load(url, bodies, perRequest, c, seconds);
  } finally {
    await app.stop();
  }

  const torchNum = typeof torch === "number" ? torch : null;
  printTable(`In-process embedding, reference CNN, batch ${BATCH} (${os.availableParallelism()} cores)`, ["runtime", "images/s", "× PyTorch CPU"], [
    ["onnxruntime-node", embed, torchNum ? `${(embed / torchNum).toFixed(2)}×` : "-"],
    ["tfjs (fallback)", tfjs, torchNum ? `${(tfjs / torchNum).toFixed(2)}×` : "-"],
    ["PyTorch CPU", torchNum ?? String(torch), "1×"],
  ]);
  printTable(`HTTP POST /api/v1/deployments/:name/embed, ${perRequest} images per request (${runtime})`, ["concurrency", "requests", "p50 ms", "p99 ms", "images/s", "% of in-process"], [
    ...[1, 8, 32].map((c) => [c, measured[c].requests, measured[c].p50, measured[c].p99, measured[c].imagesPerS, `${((100 * measured[c].imagesPerS) / embed).toFixed(0)} %`]),
  ]);
  printFigures({
    embed_images_per_s: Math.round(embed),
    tfjs_embed_images_per_s: Math.round(tfjs),
    torch_infer_images_per_s: torchNum === null ? String(torch) : Math.round(torchNum),
    images_per_request: perRequest,
    http_p50_ms_c1: +measured[1].p50.toFixed(2),
    http_p99_ms_c1: +measured[1].p99.toFixed(2),
    http_p99_ms_c32: +measured[32].p99.toFixed(2),
    http_images_per_s_c32: Math.round(measured[32].imagesPerS),
  });
}
