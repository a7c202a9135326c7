/**
 * Training throughput of the engine itself: one optimizer step of each pretext method exactly as
 * `pretext train` runs it (workers/engine/train/train-step.ts: views, gradients, clipping, the
 * update, EMA/queue hooks), with the method, augmentation and optimizer blocks of the shipped
 * example configs, batch 256, on the reference encoders:
 *   cnn  conv3x3x32-pool-conv3x3x64-pool-dense128 on 28×28×1 images
 *   mlp  784-512-256-128 (on the same images; SCARF, a tabular method, on rows of 784 features)
 * per available backend, beside the PyTorch reference (../shared/tools/torch_throughput.py: SimCLR,
 * same encoders, head 128-128-64 without batch norm, simpler augmentations) measured in the same run.
 *
 * images/s counts views (SimCLR, MoCo, BYOL, SCARF: 2 per sample; masked modeling: 1) from the
 * median step time; warm-up steps are excluded. The batch is random uniform pixels (throughput does
 * not depend on the values). "top kernels" are from tf.profile of up to 3 more steps, summed (a
 * single step is easily skewed by another process).
 *
 * The SimCLR CNN step on wasm is measured again, right after, in a child process with
 * PRETEXT_WASM_THREADS = the core count (multi-threaded XNNPACK; the backend is set up once per
 * process), and with the encoder data-parallel over one worker thread per core (encoderWorkers),
 * so the three figures come from the same run.
 *
 * `--backends webgpu` runs on the machine's WebGPU adapter (a software one only because it is named);
 * where PyTorch sees CUDA, the same SimCLR CNN step on that GPU is measured beside it
 * (`DEVICE=cuda torch_throughput.py cnn train 50`). Each backend's device is printed.
 *
 *   npm run bench -- train [--steps N] [--warmup N] [--backends wasm,cpu,webgpu,…] [--methods simclr,…]
 *                          [--encoders cnn,mlp] [--no-torch]
 */
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { torchHasCuda, torchImagesPerS } from "./lib/torch";
import { makeAugmenter } from "../workers/engine/augment/augmenter";
import { BACKEND_NAMES, BackendUnavailableError, initBackend, type BackendName } from "../workers/engine/backend";
import { parsePretrainConfig, type PretrainConfig } from "../workers/engine/config";
import { createMethod } from "../workers/engine/methods/create-method";
import type { StepContext } from "../workers/engine/methods/method";
import { ShardedEncoder } from "../workers/engine/backend/data-parallel/sharded-encoder";
import { buildEncoder, type EncoderConfig } from "../workers/engine/models/encoder";
import { ParamSet } from "../workers/engine/models/param-set";
import { Rng } from "../workers/engine/rng";
import { createOptimizer } from "../workers/engine/train/create-optimizer";
import { trainStep } from "../workers/engine/train/train-step";

const BATCH = 256;
const here = path.dirname(fileURLToPath(import.meta.url));

const METHODS = ["simclr", "moco", "byol", "masked", "scarf"] as const;
type MethodName = (typeof METHODS)[number];
const ENCODERS = ["cnn", "mlp"] as const;
type EncoderName = (typeof ENCODERS)[number];

/** Views per sample that pass through the encoder (masked modeling encodes one masked copy). */
const VIEWS: Record<MethodName, number> = { simclr: 2, moco: 2, byol: 2, masked: 1, scarf: 2 };
const EXAMPLE_CONFIG: Record<MethodName, string> = {
  simclr: "fashion-mnist-simclr.json",
  moco: "fashion-mnist-moco.json",
  byol: "fashion-mnist-byol.json",
  masked: "fashion-mnist-masked.json",
  scarf: "tabular-scarf.json",
};
const ENCODER_CONFIG: Record<EncoderName, EncoderConfig> = {
  cnn: { kind: "cnn", channels: [32, 64], embeddingDim: 128 },
  mlp: { kind: "mlp", hidden: [512, 256], embeddingDim: 128 },
};

interface Options {
  steps: number;
  warmup: number;
  backends: BackendName[];
  methods: MethodName[];
  encoders: EncoderName[];
  torch: boolean;
}

function parseArgs(args: string[]): Options {
  const opts: Options = { steps: 8, warmup: 2, backends: ["wasm", "cpu"], methods: [...METHODS], encoders: [...ENCODERS], torch: true };
  const list = <T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] => {
    const items = (value ?? "").split(",").filter(Boolean);
    const bad = items.find((v) => !allowed.includes(v as T));
    if (bad !== undefined || items.length === 0) throw new Error(`${flag}: expected a comma-separated subset of ${allowed.join(",")}, got '${value}'`);
    return items as T[];
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--no-torch") opts.torch = false;
    else if (flag === "--steps") opts.steps = positiveInt(args[++i], flag);
    else if (flag === "--warmup") opts.warmup = positiveInt(args[++i], flag, 0);
    else if (flag === "--backends") opts.backends = list(args[++i], BACKEND_NAMES, flag);
    else if (flag === "--methods") opts.methods = list(args[++i], METHODS, flag);
    else if (flag === "--encoders") opts.encoders = list(args[++i], ENCODERS, flag);
    else throw new Error(`unknown argument '${flag}'`);
  }
  return opts;
}

function positiveInt(value: string | undefined, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** The example config of a method, with the reference encoder and the benchmark's batch size. */
function benchConfig(method: MethodName, encoder: EncoderName): PretrainConfig {
  const json = JSON.parse(readFileSync(path.join(here, "../workers/engine/configs", EXAMPLE_CONFIG[method]), "utf8")) as Record<string, unknown>;
  return parsePretrainConfig({ ...json, encoder: ENCODER_CONFIG[encoder], batchSize: BATCH });
}

interface KernelShare { name: string; share: number }
interface Measurement { imagesPerS: number; msPerStep: number; topKernels: KernelShare[] }

/** `workers` > 1: the encoder is a data-parallel ShardedEncoder (its kernels run in the workers, so none are profiled). */
async function measure(method: MethodName, encoder: EncoderName, steps: number, warmup: number, profiled: number, workers = 1): Promise<Measurement> {
  const cfg = benchConfig(method, encoder);
  const tabular = method === "scarf";
  const inputShape = tabular ? [28 * 28] : [28, 28, 1];

  const initRng = new Rng(1).fork("init");
  const params = new ParamSet();
  const enc = buildEncoder(cfg.encoder, inputShape, params, "encoder", initRng);
  const sharded = workers > 1 ? await ShardedEncoder.start(cfg.encoder, inputShape, params, { workers }) : null;
  const pretext = createMethod(cfg.method, {
    params,
    encoder: sharded ?? enc,
    cloneEncoder(prefix) {
      const clone = buildEncoder(cfg.encoder, inputShape, params, prefix, initRng);
      params.freeze(`${prefix}/`);
      return clone;
    },
    inputShape,
    rng: initRng,
    prefix: cfg.method.name,
  });
  const trainable = pretext.trainableVariables();
  const optimizer = createOptimizer(cfg.optimizer);
  const ctx: StepContext = {
    step: 0,
    totalSteps: 1000,
    difficulty: 1,
    rng: new Rng(1).fork("steps"),
    augment: makeAugmenter(tabular ? "tabular" : "image", cfg.augment),
  };
  const x = tf.randomUniform([BATCH, ...inputShape]);
  // trainStep reads the loss back, so each call has finished on the device when it resolves.
  const step = async () => {
    await trainStep(pretext, trainable, optimizer, [x], ctx, { lr: cfg.optimizer.lr, gradClipNorm: cfg.gradClipNorm });
    ctx.step += 1;
  };
  try {
    for (let i = 0; i < warmup; i++) await step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    const msPerStep = median(times);
    const profile = profiled > 0 ? await tf.profile(async () => {
      for (let i = 0; i < profiled; i++) await step();
    }) : null;
    return { imagesPerS: (VIEWS[method] * BATCH * 1000) / msPerStep, msPerStep, topKernels: profile ? topKernels(profile) : [] };
  } finally {
    await sharded?.close();
    x.dispose();
    params.dispose();
    optimizer.dispose();
  }
}

/** The median, because other processes on a shared machine cause spikes. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function topKernels(profile: Awaited<ReturnType<typeof tf.profile>>, count = 5): KernelShare[] {
  const byKernel = new Map<string, number>();
  // "…__op" entries are custom-gradient ops whose time already includes the kernels they run.
  for (const k of profile.kernels) {
    if (!k.name.endsWith("__op")) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  const total = [...byKernel.values()].reduce((s, v) => s + v, 0);
  return [...byKernel].sort((p, q) => q[1] - p[1]).slice(0, count).map(([name, ms]) => ({ name, share: ms / total }));
}

/**
 * images/s of the SimCLR CNN step on wasm with `threads` XNNPACK threads, from a child process
 * running this benchmark, or why it could not run.
 */
function threadedWasmImagesPerS(threads: number, steps: number, warmup: number): number | string {
  const args = ["--import", "tsx", path.join(here, "index.ts"), "train", "--backends", "wasm", "--methods", "simclr",
    "--encoders", "cnn", "--no-torch", "--steps", String(steps), "--warmup", String(warmup)];
  const out = spawnSync(process.execPath, args, { env: { ...process.env, PRETEXT_WASM_THREADS: String(threads) }, encoding: "utf8" });
  const last = (out.stdout ?? "").trim().split("\n").pop() ?? "";
  try {
    const figure = (JSON.parse(last) as Record<string, unknown>).simclr_cnn_wasm_images_per_s;
    if (typeof figure === "number") return figure;
  } catch {
    // reported below
  }
  return `failed: ${(out.stderr ?? "").trim().split("\n").pop()}`;
}

/** Why a case is not measured, or null. */
function skipReason(backend: BackendName, method: MethodName, encoder: EncoderName): string | null {
  if (method === "scarf" && encoder === "cnn") return "SCARF is tabular; the CNN needs images";
  if (backend === "cpu" && encoder === "cnn") return "pure-JS Conv2DBackpropFilter trains at ~1 image/s (8+ min per step)";
  return null;
}

export async function main(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const result: Record<string, number | string> = { bench: "train" };
  const rows: string[][] = [];
  const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`load average before: ${loadavg()} on ${os.availableParallelism()} cores (other processes skew these figures)`);
  for (const backend of opts.backends) {
    try {
      const { device } = await initBackend(backend);
      console.log(`${backend}: ${device}`);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      console.log(`${backend}: skipped (${err.message})`);
      continue;
    }
    for (const encoder of opts.encoders) {
      for (const method of opts.methods) {
        const skip = skipReason(backend, method, encoder);
        if (skip) {
          if (!(method === "scarf" && encoder === "cnn")) rows.push([method, encoder, backend, "-", "-", `skipped: ${skip}`]);
          continue;
        }
        // The pure-JS backend is slow even on the MLP: a couple of steps give the figure.
        const slow = backend === "cpu";
        const before = tf.memory().numTensors;
        const m = await measure(method, encoder, slow ? Math.min(2, opts.steps) : opts.steps, slow ? 1 : opts.warmup, slow ? 1 : 3);
        const leaked = tf.memory().numTensors - before;
        result[figureKey(method, encoder, backend)] = Math.round(m.imagesPerS);
        const kernels = m.topKernels.map((k) => `${k.name} ${(k.share * 100).toFixed(0)}%`).join(", ");
        rows.push([method, encoder, backend, m.imagesPerS.toFixed(0), m.msPerStep.toFixed(0), kernels + (leaked ? ` (LEAKED ${leaked} tensors)` : "")]);
        const cores = os.availableParallelism();
        if (backend === "wasm" && method === "simclr" && encoder === "cnn" && cores > 1 && !process.env.PRETEXT_WASM_THREADS) {
          const label = `wasm-threads${cores}`;
          const threaded = threadedWasmImagesPerS(cores, opts.steps, opts.warmup);
          if (typeof threaded === "number") result[`simclr_cnn_${label}_images_per_s`] = threaded;
          const note = `same step, ${cores} XNNPACK threads (PRETEXT_WASM_THREADS=${cores}), child process`;
          rows.push([method, encoder, label, typeof threaded === "number" ? String(threaded) : "-",
            typeof threaded === "number" ? ((VIEWS.simclr * BATCH * 1000) / threaded).toFixed(0) : "-", typeof threaded === "number" ? note : `${note}: ${threaded}`]);
          const parallel = await measure(method, encoder, opts.steps, opts.warmup, 0, cores);
          result[`simclr_cnn_wasm-workers${cores}_images_per_s`] = Math.round(parallel.imagesPerS);
          rows.push([method, encoder, `wasm-workers${cores}`, parallel.imagesPerS.toFixed(0), parallel.msPerStep.toFixed(0),
            `same step, encoder data-parallel over ${cores} worker threads (encoderWorkers: ${cores}), 1 XNNPACK thread each`]);
        }
      }
    }
  }
  console.log(table(["method", "encoder", "backend", "images/s", "ms/step", "top kernels (share of kernel time, profiled steps)"], rows));

  if (opts.torch && opts.backends.includes("webgpu") && torchHasCuda()) {
    const cuda = torchImagesPerS("cnn", "train", 50, "cuda");
    const ours = result[figureKey("simclr", "cnn", "webgpu")];
    if (typeof cuda === "number") result.torch_cuda_simclr_cnn_images_per_s = cuda;
    console.log(`torch simclr cnn on CUDA: ${cuda}${typeof cuda === "number" && typeof ours === "number" ? ` images/s (webgpu: ${ours} = ${(ours / cuda).toFixed(3)}× torch CUDA)` : ""}`);
  }
  if (opts.torch) {
    for (const encoder of ENCODERS) {
      const torch = torchImagesPerS(encoder, "train", opts.steps);
      if (typeof torch === "string") {
        console.log(`torch: ${torch}`);
        break;
      }
      result[`torch_${encoder}_images_per_s`] = torch;
      const ours = result[`simclr_${encoder}_wasm_images_per_s`];
      const ratio = typeof ours === "number" ? ` (simclr ${encoder} wasm: ${ours} = ${(ours / torch).toFixed(2)}× torch)` : "";
      console.log(`torch simclr ${encoder}: ${torch} images/s${ratio}`);
    }
  }
  console.log(`load average after: ${loadavg()}`);
  console.log(JSON.stringify(result));
}

/** The JSON key of a figure; WebGPU's lead with the backend, as the GPU issue named them. */
function figureKey(method: MethodName, encoder: EncoderName, backend: BackendName): string {
  return backend === "webgpu" ? `webgpu_${method}_${encoder}_images_per_s` : `${method}_${encoder}_${backend}_images_per_s`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
