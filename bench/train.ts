/**
 * Training throughput: one SimCLR step (two augmented views of a batch of 256 28×28 images,
 * NT-Xent, Adam) on the small CNN and on the MLP, per available backend, beside the PyTorch
 * reference (../shared/tools/torch_throughput.py, same models and step) when it can run.
 * Images/s count both views (2 × 256 per step), from the median step time; warm-up steps are
 * excluded.
 *
 * On wasm it also runs the data-parallel step (one wasm instance per worker thread).
 *
 *   npm run bench -- train [--steps N] [--warmup N] [--backends wasm,cpu] [--workers N] [--no-torch]
 */
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BackendUnavailableError, BACKEND_NAMES, initBackend, type BackendName } from "../workers/engine/backend";
import { DataParallelPool, type ShardModel } from "../workers/engine/backend/data-parallel/pool";

const BATCH = 256;
const TAU = 0.5;
type Encoder = "cnn" | "mlp";

interface Options { steps: number; warmup: number; backends: BackendName[]; torch: boolean; workers: number }

function parseArgs(args: string[]): Options {
  const opts: Options = { steps: 10, warmup: 3, backends: [...BACKEND_NAMES], torch: true, workers: os.availableParallelism() };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--no-torch") opts.torch = false;
    else if (flag === "--steps") opts.steps = Number(args[++i]);
    else if (flag === "--warmup") opts.warmup = Number(args[++i]);
    else if (flag === "--workers") opts.workers = Number(args[++i]);
    else if (flag === "--backends") opts.backends = args[++i].split(",") as BackendName[];
    else throw new Error(`unknown argument '${flag}'`);
  }
  return opts;
}

/** Dense layer parameters [in, out] + bias, He-initialised. */
function dense(inputs: number, outputs: number): tf.Variable[] {
  return [
    tf.variable(tf.mul(tf.randomNormal([inputs, outputs]), Math.sqrt(2 / inputs))),
    tf.variable(tf.zeros([outputs])),
  ];
}

function conv(size: number, inputs: number, outputs: number): tf.Variable[] {
  return [
    tf.variable(tf.mul(tf.randomNormal([size, size, inputs, outputs]), Math.sqrt(2 / (size * size * inputs)))),
    tf.variable(tf.zeros([outputs])),
  ];
}

interface Model { params: tf.Variable[]; embed: (x: tf.Tensor4D) => tf.Tensor2D }

/** The models of torch_throughput.py: encoder then projection head 128-128-64. */
function buildModel(encoder: Encoder): Model {
  const head = [...dense(128, 128), ...dense(128, 64)];
  const project = (h: tf.Tensor2D): tf.Tensor2D => {
    const [w1, b1, w2, b2] = head as unknown as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const hidden = tf.fused.matMul({ a: h, b: w1, bias: b1, activation: "relu" });
    return tf.fused.matMul({ a: hidden, b: w2, bias: b2 }) as tf.Tensor2D;
  };
  if (encoder === "cnn") {
    const enc = [...conv(3, 1, 32), ...conv(3, 32, 64), ...dense(7 * 7 * 64, 128)];
    const [c1, cb1, c2, cb2, w, b] = enc as unknown as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    return {
      params: [...enc, ...head],
      embed: (x) => {
        // Bias fused into the conv, ReLU separate: tfjs only fuses a non-linear activation outside gradient tapes.
        const a1 = tf.maxPool(tf.relu(tf.fused.conv2d({ x, filter: c1, bias: cb1, strides: 1, pad: "same" })), 2, 2, "valid");
        const a2 = tf.maxPool(tf.relu(tf.fused.conv2d({ x: a1, filter: c2, bias: cb2, strides: 1, pad: "same" })), 2, 2, "valid");
        return project(tf.fused.matMul({ a: tf.reshape(a2, [x.shape[0], 7 * 7 * 64]), b: w, bias: b }) as tf.Tensor2D);
      },
    };
  }
  const enc = [...dense(784, 512), ...dense(512, 256), ...dense(256, 128)];
  const [w1, b1, w2, b2, w3, b3] = enc as unknown as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  return {
    params: [...enc, ...head],
    embed: (x) => {
      const h1 = tf.fused.matMul({ a: tf.reshape(x, [x.shape[0], 784]) as tf.Tensor2D, b: w1, bias: b1, activation: "relu" });
      const h2 = tf.fused.matMul({ a: h1, b: w2, bias: b2, activation: "relu" });
      return project(tf.fused.matMul({ a: h2, b: w3, bias: b3 }) as tf.Tensor2D);
    },
  };
}

/** The reference augmentation: random flip, brightness/contrast jitter, Gaussian noise. */
function augment(x: tf.Tensor4D): tf.Tensor4D {
  const n = x.shape[0];
  const flip = tf.less(tf.randomUniform([n, 1, 1, 1]), 0.5);
  const flipped = tf.where(flip, tf.reverse(x, 2), x);
  const scaled = tf.add(tf.mul(flipped, tf.randomUniform([n, 1, 1, 1], 0.6, 1.4)), tf.randomUniform([n, 1, 1, 1], -0.2, 0.2));
  return tf.add(scaled, tf.mul(tf.randomNormal(x.shape), 0.05));
}

/** NT-Xent over z = [z1; z2] (2n × c): logsumexp of each row's similarities minus the positive. */
function ntXent(z: tf.Tensor2D): tf.Scalar {
  const n = z.shape[0] / 2;
  const unit = tf.div(z, tf.maximum(tf.norm(z, "euclidean", 1, true), 1e-6));
  const sim = tf.div(tf.matMul(unit, unit, false, true), TAU); // [2n, 2n]
  const masked = tf.sub(sim, tf.mul(tf.eye(2 * n), 1e9));
  const [a, b] = tf.split(unit, 2, 0);
  const positive = tf.div(tf.sum(tf.mul(a, b), 1), TAU);
  return tf.sub(tf.mean(tf.logSumExp(masked, 1)), tf.mean(positive));
}

function simclrStep(model: Model, optimizer: tf.Optimizer, x: tf.Tensor4D): void {
  tf.tidy(() => {
    const views = tf.concat([augment(x), augment(x)], 0); // both views in one batch: one pass, same math
    const { grads } = tf.variableGrads(() => ntXent(model.embed(views)), model.params);
    optimizer.applyGradients(grads);
  });
}

/**
 * The same step split across worker threads: each embeds both views of its shard of images; the
 * NT-Xent loss over the whole batch is computed on the gathered embeddings.
 */
export function buildShardModel(encoder: Encoder): ShardModel {
  const model = buildModel(encoder);
  return { params: model.params, forward: (x) => model.embed(tf.concat([augment(x as tf.Tensor4D), augment(x as tf.Tensor4D)], 0)) };
}

/** Worker outputs are [views1; views2] of each shard: regroup into [all views1; all views2]. */
function shardedNtXent(outputs: tf.Tensor[]): tf.Scalar {
  const halves = outputs.map((o) => tf.split(o, 2, 0));
  return ntXent(tf.concat([...halves.map((h) => h[0]), ...halves.map((h) => h[1])], 0) as tf.Tensor2D);
}

async function measureDataParallel(encoder: Encoder, workers: number, steps: number, warmup: number): Promise<number> {
  const pool = await DataParallelPool.start({ workers, modelUrl: import.meta.url, modelExport: "buildShardModel", modelArgs: [encoder] });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 28, 28, 1]);
  const shards = tf.split(x, workers, 0);
  try {
    for (let i = 0; i < warmup; i++) await pool.step(shards, shardedNtXent, optimizer);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await pool.step(shards, shardedNtXent, optimizer);
      times.push(performance.now() - t0);
    }
    return imagesPerS(times);
  } finally {
    await pool.close();
    tf.dispose([x, ...shards, ...pool.model.params]);
    optimizer.dispose();
  }
}

/** Two views per image; the median step, because other processes on a shared machine cause spikes. */
function imagesPerS(stepMs: number[]): number {
  const sorted = [...stepMs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return (2 * BATCH * 1000) / median;
}

interface Measurement { imagesPerS: number; topKernels: Array<{ name: string; ms: number; share: number }> }

async function measure(encoder: Encoder, steps: number, warmup: number): Promise<Measurement> {
  const model = buildModel(encoder);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 28, 28, 1]) as tf.Tensor4D;
  const sync = () => model.params[0].dataSync(); // wasm/cpu run eagerly; this also covers async backends
  for (let i = 0; i < warmup; i++) simclrStep(model, optimizer, x);
  sync();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    simclrStep(model, optimizer, x);
    sync();
    times.push(performance.now() - t0);
  }

  const profile = await tf.profile(() => simclrStep(model, optimizer, x));
  const byKernel = new Map<string, number>();
  // "…__op" entries are custom-gradient ops whose time already includes the kernels they run.
  for (const k of profile.kernels.filter((k) => !k.name.endsWith("__op"))) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const total = [...byKernel.values()].reduce((s, v) => s + v, 0);
  const topKernels = [...byKernel].sort((p, q) => q[1] - p[1]).slice(0, 5).map(([name, ms]) => ({ name, ms, share: ms / total }));

  tf.dispose([x, ...model.params]);
  optimizer.dispose();
  return { imagesPerS: imagesPerS(times), topKernels };
}

const TORCH_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/tools/torch_throughput.py");
const PYTHON = "/usr/bin/python3";

/** images/s from the PyTorch reference, or the reason it could not run. */
function torchImagesPerS(encoder: Encoder, steps: number): number | string {
  if (!existsSync(PYTHON) || !existsSync(TORCH_SCRIPT)) return "not available";
  if (spawnSync(PYTHON, ["-c", "import torch"]).status !== 0) return "not available";
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, encoder, "train", String(steps)], { env: { ...process.env, THREADS: "2" }, encoding: "utf8" });
  const match = /'imgsPerSec': ([\d.]+)/.exec(run.stdout ?? "");
  return match ? Number(match[1]) : `failed: ${(run.stderr ?? "").trim().split("\n").pop()}`;
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const result: Record<string, number | string> = { bench: "train" };
  const rows: string[][] = [];
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} on ${os.availableParallelism()} cores (other processes skew these figures)`);
  for (const backend of opts.backends) {
    try {
      await initBackend(backend);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      console.log(`${backend}: skipped (${err.message})`);
      continue;
    }
    for (const encoder of ["cnn", "mlp"] as const) {
      if (backend === "cpu" && encoder === "cnn") {
        console.log("cpu/cnn: skipped — the pure-JS Conv2DBackpropFilter trains at ~1 image/s");
        continue;
      }
      // The pure-JS backend is slow even on the MLP: a couple of steps give the figure.
      const steps = backend === "cpu" ? Math.min(2, opts.steps) : opts.steps;
      const m = await measure(encoder, steps, backend === "cpu" ? 1 : opts.warmup);
      result[`simclr_${encoder}_${backend}_images_per_s`] = Math.round(m.imagesPerS);
      rows.push([backend, encoder, m.imagesPerS.toFixed(0), m.topKernels.map((k) => `${k.name} ${(k.share * 100).toFixed(0)}%`).join(", ")]);
      // wasm runs one core per instance under Node: data parallelism is how it uses the others.
      if (backend === "wasm" && opts.workers > 1) {
        const label = `wasm-${opts.workers}workers`;
        const perS = await measureDataParallel(encoder, opts.workers, steps, opts.warmup);
        result[`simclr_${encoder}_${label}_images_per_s`] = Math.round(perS);
        rows.push([label, encoder, perS.toFixed(0), "(per worker: as wasm, on half the batch)"]);
      }
    }
  }
  console.log(table(["backend", "encoder", "images/s", "top kernels (share of kernel time, one step)"], rows));

  if (opts.torch) {
    for (const encoder of ["cnn", "mlp"] as const) {
      const torch = torchImagesPerS(encoder, opts.steps);
      if (typeof torch === "string") {
        console.log(`torch: ${torch}`);
        break;
      }
      result[`torch_${encoder}_images_per_s`] = torch;
      const ours = Object.entries(result).filter(([k, v]) => k.startsWith(`simclr_${encoder}_wasm`) && typeof v === "number");
      const best = ours.sort((a, b) => (b[1] as number) - (a[1] as number))[0];
      const ratio = best ? ` (best wasm, ${best[0].split("_")[2]}: ${best[1]} = ${((best[1] as number) / torch).toFixed(2)}× torch)` : "";
      console.log(`torch ${encoder}: ${torch} images/s${ratio}`);
    }
  }
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(JSON.stringify(result));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
