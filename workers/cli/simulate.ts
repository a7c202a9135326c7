/**
 * `pretext simulate`: sends a dataset's samples to a deployment of the running app at a steady rate,
 * optionally shifted (workers/engine/data/shift.ts) or drawn from another dataset for a window of
 * requests, so that drift monitoring has traffic with a known change in it.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { PretextClient } from "@/server/client";
import { seededRandom } from "@/server/random";
import { MAX_EMBED_BATCH } from "@/server/serving/inputs";
import { numberFlag, parseFlags } from "@/workers/engine/cli-args";
import { resolveDatasetSpec } from "@/workers/engine/cli-audit";
import { splitCsvLine } from "@/workers/engine/data/csv";
import { dataPath, sampleSize, type SampleSet } from "@/workers/engine/data/dataset";
import type { DatasetSpec } from "@/workers/engine/data/dataset-spec";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { MNIST_FAMILY_FILES } from "@/workers/engine/data/mnist-family";
import { applyShift, drawIndices, parseShift, type Shift } from "@/workers/engine/data/shift";
import { appTarget } from "./target";

export const SIMULATE_USAGE = `usage: pretext simulate --deployment <name> --data <dataset> [--split test|train] [--rate 10] [--batch 10] [--requests 100]
                        [--drift kind=value] [--drift-from 0] [--drift-to N] [--switch-data <dataset>] [--seed 1]
  --deployment   the deployment to send to (POST /api/v1/deployments/<name>/embed); needs a running app: npm run dev, or PRETEXT_URL
  --data         "fashion-mnist", a folder of MNIST-format IDX files or of images (one sub-folder per class), a CSV file
                 (sent as raw values; a column named label, class, target or y is the label), or a dataset spec as JSON
  --split        the part samples are drawn from (default test; train when the dataset has no test part)
  --rate         requests per second (default 10)
  --batch        inputs per request (default 10, at most ${MAX_EMBED_BATCH})
  --requests     requests in all (default 100)
  --drift        shift the inputs: brightness=A (-1..1, of the value range), contrast=F (0..10], rotation=DEG (-180..180, images),
                 noise=STD (0..1, of the value range), blur=SIGMA (0..10] pixels, images), prior=W0,W1,... (one weight per class:
                 which samples are drawn)
  --drift-from   index of the first drifted request (default 0)
  --drift-to     index of the first request after the drift (default: drifted to the end)
  --switch-data  from --drift-from to --drift-to, draw from this dataset instead (samples of the same shape)
  --seed         seed of the draws and of the noise (default 1)`;

export interface SimulateArgs {
  deployment: string;
  data: string;
  split: "train" | "test";
  rate: number;
  batch: number;
  requests: number;
  drift?: Shift;
  driftFrom: number;
  driftTo?: number;
  switchData?: string;
  seed: number;
}

const SPEC = { deployment: {}, data: {}, split: {}, rate: {}, batch: {}, requests: {}, drift: {}, "drift-from": {}, "drift-to": {}, "switch-data": {}, seed: {} };

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const f = parseFlags(args, SPEC, ["deployment", "data"], SIMULATE_USAGE);
  const int = (flag: keyof typeof SPEC, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER, why = "") => {
    const n = numberFlag(flag, f[flag]) ?? fallback;
    if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) {
      throw new Error(`--${flag} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}${why}`}, got ${f[flag]}`);
    }
    return n;
  };
  if (f.split !== undefined && f.split !== "train" && f.split !== "test") throw new Error(`--split must be train or test, got "${f.split}"`);
  const rate = numberFlag("rate", f.rate) ?? 10;
  if (rate <= 0) throw new Error(`--rate must be above 0 requests per second, got ${f.rate}`);
  const parsed: SimulateArgs = {
    deployment: f.deployment!,
    data: f.data!,
    split: f.split ?? "test",
    rate,
    batch: int("batch", 10, 1, MAX_EMBED_BATCH, " (the embed route takes at most that many inputs a request)")!,
    requests: int("requests", 100, 1)!,
    drift: f.drift === undefined ? undefined : parseShift(f.drift),
    driftFrom: int("drift-from", 0, 0)!,
    driftTo: int("drift-to", undefined, 1),
    switchData: f["switch-data"],
    seed: int("seed", 1, 0, 2 ** 32 - 1)!,
  };
  if ((f["drift-from"] !== undefined || f["drift-to"] !== undefined) && !parsed.drift && !parsed.switchData) {
    throw new Error("--drift-from and --drift-to need --drift or --switch-data: there is no drift to place");
  }
  if (parsed.driftFrom >= parsed.requests) {
    throw new Error(`--drift-from (${parsed.driftFrom}) is past the last request (${parsed.requests - 1}): nothing would drift`);
  }
  if (parsed.driftTo !== undefined && parsed.driftTo <= parsed.driftFrom) {
    throw new Error(`--drift-to (${parsed.driftTo}) must be above --drift-from (${parsed.driftFrom})`);
  }
  return parsed;
}

/** Column names taken as a CSV's label. */
const LABEL_COLUMNS = ["label", "class", "target", "y"];

/**
 * A --data argument as a dataset spec: a local (or data-folder) CSV file or folder is recognised by
 * its contents; JSON specs and "fashion-mnist" are read as `pretext audit` reads them. CSV rows are
 * sent raw (not standardized): the deployment's model spec does its own preprocessing.
 */
export async function simulationDataSpec(arg: string, flag = "data"): Promise<DatasetSpec> {
  const json = arg.trimStart().startsWith("{");
  if (!json && arg !== "fashion-mnist") {
    for (const candidate of [path.resolve(arg), dataPath(arg)]) {
      const found = await stat(candidate).catch(() => null);
      if (found?.isFile()) return { kind: "csv", file: candidate, labelColumn: await csvLabelColumn(candidate), standardize: false };
      if (found?.isDirectory()) {
        return existsSync(path.join(candidate, MNIST_FAMILY_FILES.trainImages)) ? { kind: "idx", dir: candidate } : { kind: "image-folder", dir: candidate, channels: 3 };
      }
    }
  }
  const spec = await resolveDatasetSpec(arg).catch((err: Error) => {
    throw new Error(err.message.replace(/^--dataset/, `--${flag}`));
  });
  // the schema's default standardizes CSV rows; sent traffic is raw unless the spec says otherwise
  if (json && spec.kind === "csv" && !("standardize" in (JSON.parse(arg) as object))) return { ...spec, standardize: false };
  return spec;
}

async function csvLabelColumn(file: string): Promise<string | undefined> {
  const header = splitCsvLine((await readFile(file, "utf8")).split(/\r?\n/, 1)[0]).map((h) => h.trim());
  return header.find((h) => LABEL_COLUMNS.includes(h.toLowerCase()));
}

/** One source of samples: a dataset's part, with the value range shifts are measured in. */
interface Source {
  name: string;
  part: "train" | "test";
  set: SampleSet;
  shape: number[];
  classNames?: string[];
  range: [number, number];
}

async function openSource(arg: string, flag: string, split: "train" | "test"): Promise<Source> {
  const dataset = await loadDataset(await simulationDataSpec(arg, flag));
  const part = split === "test" && dataset.test ? "test" : "train";
  const set = part === "test" ? dataset.test! : dataset.train;
  const { shape, name, classNames } = dataset.descriptor;
  return { name, part, set, shape, classNames, range: valueRange(set.x) };
}

/** 8-bit data spans [0, 255]; float data, its own min and max. */
function valueRange(x: Uint8Array | Float32Array): [number, number] {
  if (x instanceof Uint8Array) return [0, 255];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export interface SimulationSummary {
  requests: number;
  samples: number;
  ok: number;
  failed: number;
  drifted: number;
  elapsedS: number;
  achievedRate: number;
}

const MAX_IN_FLIGHT = 4;
const SHOWN_ERRORS = 3;
/** Requests that must all fail before the run stops: the app or the deployment is plainly not serving. */
const FIRST_WINDOW = 10;
const PROGRESS_EVERY_MS = 5000;

export async function simulateCommand(args: string[]): Promise<void> {
  const parsed = parseSimulateArgs(args);
  const client = await appTarget();
  if (!client) {
    throw new Error("simulate sends requests to a running app, and there is none: start one with `npm run dev` (or `pretext app`), or set PRETEXT_URL to its address");
  }
  await runSimulation(parsed, client);
}

/** Sends the traffic; requests start on a fixed schedule (i / rate seconds after the first), at most MAX_IN_FLIGHT at a time. */
export async function runSimulation(a: SimulateArgs, client: PretextClient, log: (line: string) => void = console.log): Promise<SimulationSummary> {
  const base = await openSource(a.data, "data", a.split);
  const alternative = a.switchData ? await openSource(a.switchData, "switch-data", a.split) : undefined;
  if (alternative && alternative.shape.join() !== base.shape.join()) {
    throw new Error(`--switch-data: ${alternative.name} has samples of [${alternative.shape}], ${base.name} of [${base.shape}]; a deployment takes one shape`);
  }
  const weights = a.drift?.kind === "prior" ? a.drift.weights : undefined;
  const drawn = alternative ?? base; // what drifted requests draw from
  if (weights) checkPrior(drawn, weights);
  if (a.drift) applyShift(new Float32Array(sampleSize(drawn.shape)), 1, drawn.shape, a.drift, Math.random, drawn.range); // refuses e.g. rotation of table rows now, not mid-run

  const driftTo = a.driftTo ?? Infinity;
  const drifting = a.drift !== undefined || alternative !== undefined;
  const inWindow = (i: number) => drifting && i >= a.driftFrom && i < driftTo;
  log(header(a, base, alternative));

  const draws = seededRandom(a.seed);
  const noise = seededRandom((a.seed ^ 0x9e3779b9) >>> 0); // its own stream: adding noise leaves the draws as they were
  const route = `/api/v1/deployments/${encodeURIComponent(a.deployment)}/embed`;
  const size = sampleSize(base.shape);
  const stats = { sent: 0, samples: 0, ok: 0, failed: 0, drifted: 0, done: 0, latencyMs: 0, firstFailed: 0 };
  let firstError: Error | undefined;
  let stop: Error | undefined;

  const started = performance.now();
  let lastStart = started;
  let lastLine = started;
  let nextMark = 1;
  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastLine < PROGRESS_EVERY_MS) return;
    lastLine = now;
    const latency = stats.done ? `${(stats.latencyMs / stats.done).toFixed(1)} ms` : "-";
    log(
      `[${((now - started) / 1000).toFixed(1).padStart(6)} s] sent ${stats.sent}/${a.requests} requests (${stats.samples} samples), ` +
        `${stats.failed} failed, mean latency ${latency}${drifting ? `, drift ${inWindow(stats.sent - 1) ? "on" : "off"}` : ""}`,
    );
  };
  const timer = setInterval(() => progress(false), PROGRESS_EVERY_MS);
  timer.unref();

  const send = async (i: number, inputs: number[][]) => {
    const t0 = performance.now();
    try {
      await client.request("POST", route, { inputs });
      stats.ok++;
    } catch (err) {
      stats.failed++;
      const error = err instanceof Error ? err : new Error(String(err));
      const cause = (error.cause as { code?: string; message?: string } | undefined)?.code ?? (error.cause as Error | undefined)?.message;
      if (cause && !error.message.includes(cause)) error.message += ` (${cause})`; // fetch says only "fetch failed"; the cause says why
      firstError ??= error;
      if (stats.failed <= SHOWN_ERRORS) log(`request ${i} failed: ${error.message}${stats.failed === SHOWN_ERRORS ? " (further failures are counted, not shown)" : ""}`);
      if (i < FIRST_WINDOW) stats.firstFailed++;
    }
    stats.latencyMs += performance.now() - t0;
    stats.done++;
    if (stats.firstFailed === Math.min(FIRST_WINDOW, a.requests)) stop ??= new Error(`every one of the first ${stats.firstFailed} requests failed; the first: ${firstError!.message}`);
    if (stats.done >= Math.ceil((nextMark * a.requests) / 10)) {
      while (stats.done >= Math.ceil((nextMark * a.requests) / 10)) nextMark++;
      progress(true);
    }
  };

  const inFlight = new Set<Promise<void>>();
  try {
    for (let i = 0; i < a.requests && !stop; i++) {
      const wait = started + (i * 1000) / a.rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      if (stop) break;
      const drifted = inWindow(i);
      const source = drifted && alternative ? alternative : base;
      const indices = drawIndices(source.set.labels, source.set.count, a.batch, draws, drifted ? weights : undefined);
      let x = gather(source.set.x, indices, size);
      if (drifted && a.drift && a.drift.kind !== "prior") x = applyShift(x, a.batch, source.shape, a.drift, noise, source.range);
      const inputs = toInputs(x, a.batch, size, source.set.x instanceof Uint8Array);
      lastStart = performance.now();
      stats.sent++;
      stats.samples += a.batch;
      if (drifted) stats.drifted++;
      const pending: Promise<void> = send(i, inputs).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(timer);
  }
  if (stop) throw stop;
  const elapsedS = (performance.now() - started) / 1000;
  // n requests span n - 1 intervals: the rate they were started at, comparable with --rate
  const achievedRate = stats.sent > 1 ? ((stats.sent - 1) * 1000) / (lastStart - started) : stats.sent / elapsedS;
  const summary = { requests: stats.sent, samples: stats.samples, ok: stats.ok, failed: stats.failed, drifted: stats.drifted, elapsedS, achievedRate };
  log(table(summary));
  return summary;
}

function checkPrior(source: Source, weights: number[]): void {
  if (source.classNames && weights.length !== source.classNames.length) {
    throw new Error(`--drift prior: ${weights.length} weights for the ${source.classNames.length} classes of ${source.name} (${source.classNames.join(", ")})`);
  }
  drawIndices(source.set.labels, source.set.count, 0, Math.random, weights); // refuses unlabelled data, or weights on no class present
}

function gather(x: Uint8Array | Float32Array, indices: Int32Array, size: number): Float32Array {
  const out = new Float32Array(indices.length * size);
  indices.forEach((s, i) => out.set(x.subarray(s * size, (s + 1) * size), i * size));
  return out;
}

/** JSON inputs: 8-bit data stays whole pixel values, as a camera would send them; floats keep float32 precision. */
function toInputs(x: Float32Array, n: number, size: number, eightBit: boolean): number[][] {
  const round = eightBit ? Math.round : (v: number) => Number(v.toPrecision(9));
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * size, (i + 1) * size), round));
}

function describeShift(s: Shift): string {
  const [, value] = Object.entries(s).find(([k]) => k !== "kind")!;
  return `${s.kind}=${Array.isArray(value) ? value.join(",") : String(value)}`;
}

function header(a: SimulateArgs, base: Source, alternative?: Source): string {
  const window = `requests ${a.driftFrom}-${a.driftTo === undefined ? "end" : a.driftTo - 1}`;
  const changes = [a.drift && `drift ${describeShift(a.drift)}`, alternative && `data switched to ${alternative.name} (${alternative.part}, ${alternative.set.count} samples)`].filter(Boolean);
  const part = base.part === a.split ? base.part : `${base.part}: ${base.name} has no ${a.split} part`;
  return (
    `simulate: deployment ${a.deployment}, data ${base.name} (${part}, ${base.set.count} samples of [${base.shape}]), ` +
    `${a.rate} requests/s, batch ${a.batch}, ${a.requests} requests, ${changes.length ? `${changes.join(" and ")} on ${window}` : "no drift"}`
  );
}

function table(s: SimulationSummary): string {
  const rows: [string, string][] = [
    ["requests", String(s.requests)],
    ["samples", String(s.samples)],
    ["ok", String(s.ok)],
    ["failed", String(s.failed)],
    ["drifted requests", String(s.drifted)],
    ["elapsed s", s.elapsedS.toFixed(1)],
    ["achieved rate", `${s.achievedRate.toFixed(1)} requests/s`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(18)}${v}`).join("\n");
}
