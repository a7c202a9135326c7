/**
 * Label efficiency: pretrain the small CNN with SimCLR for a fixed number of epochs (the recipe is
 * workers/engine/configs/fashion-mnist-simclr-reference.json, which also made the shipped
 * examples/encoders/fashion-mnist-simclr.ptx), then evaluate
 * it (linear probe, kNN, adapter, fine-tuning, FixMatch from the fine-tuned network) beside the supervised-from-scratch (same CNN, same
 * augmentations) and raw-input linear-probe baselines at 1 %, 10 % and 100 % labels, 3 seeds
 * each, on the test part.
 *
 *   npm run bench -- label-efficiency [--data <dir>] [--epochs N] [--max-minutes N] [--seeds N]
 *                                     [--fractions 0.01,0.1,1] [--encoder cnn|mlp] [--limit N]
 *                                     [--threads N] [--save-encoder FILE] [--encoder-file FILE]
 *
 * --data is any folder with the four MNIST-format IDX gz files (train/t10k images and labels);
 * default $PRETEXT_DATA_DIR/fashion-mnist (../shared/data when unset). Nothing here depends on
 * which dataset it is. The pretraining budget is work, not wall-clock, so a busy machine takes
 * longer rather than learning less: the 60k-image CNN SimCLR run trained at 310–345 images/s with
 * 2 XNNPACK threads on the earlier idle 2-core machines; on a slower one (2026-11-25, whose threaded
 * step measured 259 samples/s, i.e. ≈ 35 min) 2 encoder workers trained at 318/s, so the default
 * 9 epochs took 1,695 s, within the 30-minute budget. --max-minutes is only a safety stop
 * (reported). --threads N is the cores to use (default 2, unless PRETEXT_WASM_THREADS
 * is set): pretraining splits the encoder across N data-parallel workers (encoderWorkers), the
 * evaluation runs N XNNPACK threads. --limit N caps pool, labeled pool and test set (smoke runs).
 * --save-encoder writes the pretrained encoder.ptx (with its pretraining time) so --encoder-file
 * can evaluate it again without pretraining; --encoder-file also takes a shipped encoder with its
 * run record beside it (examples/encoders/fashion-mnist-simclr.ptx and .json).
 * Prints the table, then one JSON line of mean test accuracies (fractions) and pretrain_seconds.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PretrainConfigInput } from "../workers/engine/config";
import type { DatasetSpec } from "../workers/engine/data/dataset-spec";
import { summarizeSettings } from "../server/services/benchmarks";
import { percent, runEvaluationSuite, type EvalSuiteResult } from "../workers/engine/eval/run-suite";
import type { EvalSuiteInput } from "../workers/engine/eval/suite";
import { pretrain } from "../workers/engine/train/pretrain";
import { numberFlag, parseFlags } from "../workers/engine/cli-args";
import { printFigures, printTable } from "./lib/report";

interface Options {
  data: string;
  epochs: number;
  maxMinutes: number;
  seeds: number;
  fractions: number[];
  encoder: "mlp" | "cnn";
  limit?: number;
  threads: number;
  saveEncoder?: string;
  encoderFile?: string;
}

const USAGE = "usage: npm run bench -- label-efficiency [--data <dir>] [--epochs N] [--max-minutes N] [--seeds N] [--fractions 0.01,0.1,1] [--encoder cnn|mlp] [--limit N] [--threads N] [--save-encoder FILE] [--encoder-file FILE]";

function parseArgs(args: string[]): Options {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dataRoot = process.env.PRETEXT_DATA_DIR ?? path.resolve(here, "../../shared/data");
  const f = parseFlags(args, { data: {}, epochs: {}, "max-minutes": {}, seeds: {}, fractions: {}, encoder: {}, limit: {}, threads: {}, "save-encoder": {}, "encoder-file": {} }, [], USAGE);
  const positive = (flag: string, value: string | undefined) => {
    const n = numberFlag(flag, value);
    if (n !== undefined && !(n > 0)) throw new Error(`--${flag} must be a positive number, got '${value}'`);
    return n;
  };
  const count = (flag: string) => {
    const n = positive(flag, f[flag as keyof typeof f]);
    return n === undefined ? undefined : Math.round(n);
  };
  if (f.encoder !== undefined && f.encoder !== "cnn" && f.encoder !== "mlp") throw new Error(`--encoder must be cnn or mlp, got '${f.encoder}'`);
  return {
    data: f.data ? path.resolve(f.data) : path.join(dataRoot, "fashion-mnist"),
    epochs: count("epochs") ?? referenceConfig().epochs ?? 9,
    maxMinutes: positive("max-minutes", f["max-minutes"]) ?? 60,
    seeds: count("seeds") ?? 3,
    fractions: f.fractions ? f.fractions.split(",").map((v) => positive("fractions", v)!) : [0.01, 0.1, 1],
    encoder: f.encoder ?? "cnn",
    limit: count("limit"),
    threads: count("threads") ?? Number(process.env.PRETEXT_WASM_THREADS || referenceConfig().encoderWorkers || 2),
    saveEncoder: f["save-encoder"] && path.resolve(f["save-encoder"]),
    encoderFile: f["encoder-file"] && path.resolve(f["encoder-file"]),
  };
}

/**
 * The pretraining recipe: SimCLR (NT-Xent over two augmented views, batch 256, τ 0.2) on the small
 * CNN of the reference (conv32-pool-conv64-pool-fc128), whose 128-d output is what the protocols
 * see. It is read from the example config, so the bench and the shipped encoder cannot drift apart;
 * only the dataset folder (--data), --limit, --encoder mlp, --epochs and --threads (the config's
 * `encoderWorkers`) override it, and no checkpoints are written.
 */
const REFERENCE_CONFIG = fileURLToPath(new URL("../workers/engine/configs/fashion-mnist-simclr-reference.json", import.meta.url));

let reference: PretrainConfigInput | undefined;
function referenceConfig(): PretrainConfigInput {
  return (reference ??= JSON.parse(readFileSync(REFERENCE_CONFIG, "utf8")) as PretrainConfigInput);
}

function pretrainConfig(dataset: DatasetSpec, o: Options): PretrainConfigInput {
  const ref = referenceConfig();
  return {
    ...ref,
    dataset,
    data: o.limit ? { ...ref.data, limit: o.limit } : { ...ref.data },
    encoder: o.encoder === "mlp" ? { kind: "mlp", hidden: [1024, 512], embeddingDim: 128 } : ref.encoder,
    encoderWorkers: o.threads,
    epochs: o.epochs,
    checkpoint: { everySteps: 1_000_000 },
  };
}

/**
 * The networks trained on labeled images (fine-tuning and the supervised baseline) choose their
 * augmentation policy (crop, or crop and flip), weight decay and length by the suite's default
 * 3-fold cross-validation on the labeled subset, each on a cosine schedule of 800 steps of 64, then
 * train again on every labeled image (the suite's defaults; see server/jobs/configs/eval-suite.ts).
 * Fine-tuning trains the encoder at the head's rate (1e-3), the supervised baseline at 2e-3.
 * FixMatch continues each cell's fine-tuned network for 800 steps of 64 labeled + 128 unlabeled
 * images with fine-tuning's recipe. Nothing here is specific to a dataset: validation chooses.
 */
function evalSuite(dataset: DatasetSpec, o: Options): EvalSuiteInput {
  return {
    dataset,
    fractions: o.fractions,
    seeds: Array.from({ length: o.seeds }, (_, i) => i),
    trainLimit: o.limit,
    testLimit: o.limit,
    knn: { k: [20, 200] },
    linearProbe: { l2Grid: [1e-4, 1e-3, 1e-2, 1e-1], maxSteps: 1000 },
    adapter: { epochs: 200, maxSteps: 1500, evalEvery: 50, patience: 5, batchSize: 128, lrs: [1e-3, 3e-3] },
    finetune: { lrs: [1e-3], encoderLrScale: 1 },
    fixmatch: { encoderLrScale: 1 },
    supervised: { lrs: [2e-3] },
  };
}

export async function main(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const dataset: DatasetSpec = { kind: "idx", dir: o.data };
  process.env.PRETEXT_WASM_THREADS = String(o.threads); // read when the backend starts
  const pre = o.encoderFile ? await loadPretrained(o.encoderFile) : await pretrainEncoder(dataset, o);
  const evalStarted = performance.now();
  const result = await runEvaluationSuite(evalSuite(dataset, o), pre.encoder, undefined, {
    onProgress: (p) => console.error(`[${p.done}/${p.total}] ${p.last} (${((performance.now() - evalStarted) / 60_000).toFixed(1)} min)`),
  });
  report(result, o, pre, (performance.now() - evalStarted) / 1000);
}

interface Pretrained {
  encoder: Uint8Array;
  /** What the report says about pretraining, e.g. "15 epochs, 3510/3510 steps finished, 1650 s". */
  description: string;
  seconds: number;
  epochs: number;
  datasetName: string;
}

async function pretrainEncoder(dataset: DatasetSpec, o: Options): Promise<Pretrained> {
  console.error(`pretraining ${o.encoder} SimCLR for ${o.epochs} epochs, ${o.threads} encoder workers (safety stop after ${o.maxMinutes} min)`);
  const started = performance.now();
  const pre = await pretrain(pretrainConfig(dataset, o), {
    signal: AbortSignal.timeout(o.maxMinutes * 60_000),
    onStep: (p) => {
      if (p.step % 50 === 0) console.error(`step ${p.step}/${p.totalSteps} epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(3)} ${p.imagesPerSec.toFixed(0)} img/s (${((performance.now() - started) / 60_000).toFixed(1)} min)`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const description = `${o.epochs} epochs, ${pre.stepsDone}/${pre.totalSteps} steps ${pre.status}, ${seconds.toFixed(0)} s with ${o.threads} encoder workers`;
  console.error(`pretrained: ${description}; evaluating`);
  const result = { encoder: pre.encoder, description, seconds, epochs: o.epochs, datasetName: pre.dataset.name };
  if (o.saveEncoder) {
    await writeFile(o.saveEncoder, pre.encoder);
    await writeFile(`${o.saveEncoder}.json`, JSON.stringify({ description, seconds, epochs: o.epochs, datasetName: result.datasetName }));
    console.error(`saved the encoder to ${o.saveEncoder}`);
  }
  return result;
}

async function loadPretrained(file: string): Promise<Pretrained> {
  const encoder = new Uint8Array(await readFile(file));
  const readJson = <T>(f: string) => readFile(f, "utf8").then((t) => JSON.parse(t) as T, () => null);
  const info = (await readJson<Omit<Pretrained, "encoder">>(`${file}.json`)) ?? fromRunRecord(await readJson<RunRecord>(file.replace(/\.ptx$/, ".json")));
  if (!info) throw new Error(`--encoder-file: ${file}.json (written by --save-encoder beside the encoder) is missing, and so is a run record (examples/encoders/export-run-record.ts)`);
  return { encoder, ...info, description: `${info.description}, loaded from ${path.basename(file)}` };
}

/** The record of the run that made a shipped encoder (examples/encoders/export-run-record.ts). */
interface RunRecord {
  date: string | null;
  wallSeconds: number | null;
  steps: number | null;
  config: { epochs?: number; encoderWorkers?: number };
  params: Record<string, unknown>;
}

function fromRunRecord(r: RunRecord | null): Omit<Pretrained, "encoder"> | null {
  if (!r?.params) return null;
  const epochs = Number(r.params.epochs ?? r.config.epochs);
  const seconds = r.wallSeconds ?? NaN;
  const description = `${epochs} epochs, ${r.steps} steps, ${seconds} s with ${r.params.encoderWorkers ?? 1} encoder workers on ${r.date}`;
  return { description, seconds, epochs, datasetName: String(r.params["dataset.kind"] ?? "dataset") };
}

const ROWS: [string, string, string][] = [
  ["SSL linear probe", "linear_probe", "ssl_linear"],
  ["SSL kNN (k=20)", "knn_k20", "ssl_knn"],
  ["SSL kNN (k=200)", "knn_k200", "ssl_knn200"],
  ["SSL adapter", "adapter", "ssl_adapter"],
  ["SSL fine-tune", "finetune", "ssl_finetune"],
  ["SSL fine-tune + FixMatch", "fixmatch", "ssl_fixmatch"],
  ["supervised from scratch", "supervised", "supervised"],
  ["raw-input linear probe", "raw_linear", "raw_linear"],
];

function report({ summary, results }: EvalSuiteResult, o: Options, pre: Pretrained, evalSeconds: number): void {
  const fractions = o.fractions;
  const find = (method: string, f: number) => summary.find((s) => s.method === method && s.labelFraction === f);
  printTable(
    `label efficiency on ${pre.datasetName}: test accuracy %, mean ± std over seeds (pretraining ${pre.description}; evaluation ${evalSeconds.toFixed(0)} s)`,
    ["method", ...fractions.map((f) => `${Number((f * 100).toPrecision(3))} % labels`)],
    ROWS.map(([label, method]) => [label, ...fractions.map((f) => {
      const r = find(method, f);
      return r ? `${(100 * r.mean).toFixed(1)} ± ${(100 * r.std).toFixed(1)}` : "-";
    })]),
  );
  // what each protocol chose on the labeled subset, and the optimizer steps it spent doing so
  const settingsOf = (method: string, f: number) => results.filter((r) => r.method === method && r.labelFraction === f).map((r) => r.settings ?? null);
  const budget = (method: string, f: number) => {
    const steps = settingsOf(method, f).map((s) => Number(s?.budgetSteps)).filter(Number.isFinite);
    return steps.length ? Math.round(steps.reduce((a, b) => a + b, 0) / steps.length) : undefined;
  };
  for (const f of fractions) {
    printTable(
      `chosen on the labeled subset at ${Number((f * 100).toPrecision(3))} % labels (each seed's choice; budget: mean optimizer steps per seed, choosing included)`,
      ["method", "policy", "lr / λ", "weight decay", "steps", "folds", "budget steps"],
      ROWS.flatMap(([label, method]) => {
        const s = summarizeSettings(settingsOf(method, f));
        if (Object.keys(s).length === 0) return [];
        return [[label, s.policy ?? "-", s.lr ?? s.l2 ?? "-", s.weightDecay ?? "-", s.steps ?? "-", s.folds ?? "-", String(budget(method, f) ?? "-")]];
      }),
    );
  }
  const figures: Record<string, number | string> = {};
  for (const [, method, key] of ROWS) for (const f of fractions) {
    const r = find(method, f);
    if (r) figures[`${key}_${percent(f)}`] = Number(r.mean.toFixed(4));
  }
  for (const f of fractions) {
    const steps = budget("supervised", f);
    if (steps !== undefined) figures[`supervised_${percent(f)}_budget_steps`] = steps;
    for (const [, method, key] of ROWS) {
      const policy = summarizeSettings(settingsOf(method, f)).policy;
      if (policy) figures[`${key}_${percent(f)}_policy`] = policy;
    }
  }
  figures.pretrain_seconds = Math.round(pre.seconds);
  figures.eval_seconds = Math.round(evalSeconds);
  figures.pretrain_epochs = pre.epochs;
  figures.wasm_threads = o.threads;
  printFigures(figures);
}
