import { HEAD_ARTIFACT, writeHeadFile } from "../../../server/registry/head-file";
import type { BenchmarkResultInput, RunTracker } from "../../../server/tracking/tracker";
import { makeAugmenter } from "../augment/augmenter";
import { initBackend } from "../backend";
import type { Dataset } from "../data/dataset";
import { loadDataset } from "../data/load-dataset";
import { makeSplits, stratifiedSample, type LabeledView } from "../data/splits";
import { Rng } from "../rng";
import { ENCODER_ARTIFACT } from "../train/pretrain";
import { adapterProtocol } from "./adapter";
import { loadEncoder, readEncoderMeta, type EncoderMeta } from "./encoder-file";
import { EMBEDDING_MAP_ARTIFACT, embeddingMap } from "./embedding-map";
import { embedView, rawFeatures, selectRows, type Features } from "./features";
import { finetune } from "./finetune";
import { fixmatch } from "./fixmatch";
import { stratifiedHoldout } from "./holdout";
import { knnClassify } from "./knn";
import { subView, type LabeledData } from "./labeled-data";
import { linearProbe } from "./linear-probe";
import { accuracy, meanStd } from "./stats";
import { parseEvalSuite, TEST_ACCURACY, type EvalSuite, type EvalSuiteInput } from "./suite";
import { supervisedBaseline } from "./supervised";

/**
 * Which registered encoder the results belong to: an existing one, or register one now — with
 * `sourceRunId`, its lineage is that run's artifact `artifactName` (default "encoder.ptx").
 */
export type EncoderRef = { id: number; name?: string; version?: number } | { name?: string; sourceRunId?: number; artifactName?: string };

export interface EvalProgress {
  done: number;
  total: number;
  /** What just finished, e.g. "finetune 1% seed 2: 0.812". */
  last: string;
}

export interface EvalOptions {
  /**
   * Default: register the encoder under `suite.encoderName`; with `sourceRunId` its lineage is that
   * run's "encoder.ptx" artifact, otherwise the bytes are uploaded to the evaluation run first.
   */
  encoder?: EncoderRef;
  signal?: AbortSignal;
  onProgress?(p: EvalProgress): void;
}

export interface SummaryRow {
  method: string;
  baseline: boolean;
  labelFraction: number;
  mean: number;
  std: number;
  n: number;
}

export interface EvalSuiteResult {
  status: "finished" | "cancelled";
  backend: string;
  benchmark: string;
  encoderId: number | null;
  results: BenchmarkResultInput[];
  summary: SummaryRow[];
  /** Hyperparameters each (method, fraction, seed) chose on its validation split. */
  chosen: { method: string; labelFraction: number; seed: number; chosen: Record<string, number> }[];
}

export const BENCHMARK_ARTIFACT = "benchmark.json";

/**
 * Evaluates an encoder (encoder.ptx bytes) with every protocol of the suite at each label fraction
 * and seed, beside the baselines on the same labeled subsets, and logs through `tracker` (a fresh
 * evaluation run): params, per-result metrics, benchmark results, the registered encoder, a
 * "benchmark.json" summary, the embedding map "embeddings-2d.json" (PCA of test embeddings) and
 * "head.ptx", the linear probe fitted at the largest label fraction with the first seed.
 * Frozen-encoder embeddings are computed once, in batches.
 */
export async function runEvaluationSuite(suiteInput: EvalSuiteInput, encoderBytes: Uint8Array, tracker?: RunTracker, opts: EvalOptions = {}): Promise<EvalSuiteResult> {
  try {
    const suite = parseEvalSuite(suiteInput);
    const { name: backend } = await initBackend(suite.backend === "auto" ? undefined : suite.backend);
    const meta = readEncoderMeta(encoderBytes); // decoding makes tensors: after the backend is ready
    await tracker?.setStatus("running");
    await tracker?.setExecution({ backend });
    const dataset = await loadDataset(suite.dataset);
    checkCompatible(meta, dataset);
    const benchmark = suite.benchmark ?? `label-efficiency/${dataset.descriptor.name}`;
    await tracker?.setTags({ kind: "evaluation", benchmark });
    await tracker?.logParams(suiteParams(suite, meta, benchmark));
    const encoder = tracker ? await registerEncoder(tracker, suite, meta, dataset, encoderBytes, opts.encoder) : null;
    const result = await evaluate(suite, meta, dataset, encoderBytes, { benchmark, backend, encoder, tracker, opts });
    await tracker?.uploadArtifact(BENCHMARK_ARTIFACT, "report", new TextEncoder().encode(JSON.stringify(result, null, 2)), { overwrite: true });
    await tracker?.flush();
    await tracker?.setStatus(result.status);
    return result;
  } catch (err) {
    await tracker?.flush().catch(() => undefined);
    await tracker?.setStatus("failed", err instanceof Error ? err.message : String(err));
    throw err;
  }
}

interface EvalContext {
  benchmark: string;
  backend: string;
  /** The registered encoder the results belong to (none without a tracker). */
  encoder: RegisteredEncoderRef | null;
  tracker?: RunTracker;
  opts: EvalOptions;
}

async function evaluate(suite: EvalSuite, meta: EncoderMeta, dataset: Dataset, encoderBytes: Uint8Array, c: EvalContext): Promise<EvalSuiteResult> {
  const numClasses = dataset.descriptor.classNames?.length ?? 0;
  const { pool, test } = evaluationSets(suite, dataset);
  const frozen = loadEncoder(encoderBytes, false);
  let poolFeatures: Features;
  let testFeatures: Features;
  try {
    const apply = frozen.encoder.apply.bind(frozen.encoder);
    poolFeatures = await embedView(pool, apply, meta.outDim, suite.embedBatchSize);
    testFeatures = await embedView(test, apply, meta.outDim, suite.embedBatchSize);
  } finally {
    frozen.dispose();
  }
  if (c.tracker) {
    const map = embeddingMap(testFeatures, test.labels, c.encoder ?? {}, { classNames: dataset.descriptor.classNames });
    await c.tracker.uploadArtifact(EMBEDDING_MAP_ARTIFACT, "report", new TextEncoder().encode(JSON.stringify(map)), { overwrite: true });
  }
  const encoderId = c.encoder?.id ?? null;
  const rawTest = suite.baselines.includes("raw_linear") ? rawFeatures(test) : null;
  const augment = makeAugmenter(dataset.descriptor.kind, suite.augment);
  const strongAugment = makeAugmenter(dataset.descriptor.kind, suite.fixmatch.strongAugment);
  const unlabeled = { source: pool.source, shape: pool.shape, indices: pool.indices };
  const methods = [
    ...suite.protocols.flatMap((p) => (p === "knn" ? suite.knn.k.map((k) => `knn_k${k}`) : [p])),
    ...suite.baselines,
  ];
  const total = suite.fractions.length * suite.seeds.length * methods.length;
  const results: BenchmarkResultInput[] = [];
  const chosen: EvalSuiteResult["chosen"] = [];
  let done = 0;
  for (const labelFraction of suite.fractions) {
    for (const seed of suite.seeds) {
      const rows = stratifiedSample(pool.labels, Int32Array.from(pool.labels, (_, i) => i), labelFraction, new Rng(seed).fork("labeled"));
      const labeled = subView(pool, rows);
      const labeledFeatures = selectRows(poolFeatures, rows);
      const { fit, val } = stratifiedHoldout(labeled.labels, suite.validationFraction, seed);
      const data: LabeledData = {
        numClasses,
        fit: subView(labeled, fit),
        val: subView(labeled, val),
        test,
        unlabeled,
        features: { fit: selectRows(labeledFeatures, fit), val: selectRows(labeledFeatures, val), test: testFeatures },
        augment,
        augmentStrength: suite.augmentStrength,
        signal: c.opts.signal,
      };
      const probe = { ...suite.linearProbe, numClasses, validationFraction: suite.validationFraction, seed };
      const batch: BenchmarkResultInput[] = [];
      // FixMatch continues from this cell's fine-tuned network: fine-tuning runs once for both
      const finetuned = lazy(() => finetune(data, encoderBytes, suite.finetune, suite.linearProbe, seed, suite.protocols.includes("fixmatch")));
      for (const method of methods) {
        if (c.opts.signal?.aborted) return finish("cancelled");
        let outcome: Awaited<ReturnType<typeof runMethod>>;
        try {
          outcome = await runMethod(method);
        } catch (err) {
          if (c.opts.signal?.aborted) return finish("cancelled"); // a network stopped mid-training
          throw err;
        }
        const baseline = (suite.baselines as string[]).includes(method);
        batch.push({ encoderId: baseline ? null : encoderId, benchmark: c.benchmark, method, labelFraction, seed, metric: TEST_ACCURACY, value: outcome.accuracy });
        if (outcome.chosen) chosen.push({ method, labelFraction, seed, chosen: outcome.chosen });
        c.tracker?.logMetrics([{ key: `eval/${method}/${percent(labelFraction)}`, step: seed, value: outcome.accuracy }]);
        done += 1;
        c.opts.onProgress?.({ done, total, last: `${method} ${percent(labelFraction)} seed ${seed}: ${outcome.accuracy.toFixed(4)}` });
      }
      results.push(...batch);
      await c.tracker?.logBenchmarkResults(batch);

      async function runMethod(method: string): Promise<{ accuracy: number; chosen?: Record<string, number> }> {
        if (method === "linear_probe") {
          const r = await linearProbe(labeledFeatures, labeled.labels, testFeatures, test.labels, probe);
          if (c.tracker && labelFraction === Math.max(...suite.fractions) && seed === suite.seeds[0]) {
            const head = writeHeadFile({ meta: { kind: "pretext-head", method, numClasses, labelFraction, seed, inputDim: meta.outDim }, ...r.head });
            await c.tracker.uploadArtifact(HEAD_ARTIFACT, "head", head, { overwrite: true });
          }
          return { accuracy: r.accuracy, chosen: { l2: r.l2 } };
        }
        if (method.startsWith("knn_k")) {
          const k = Number(method.slice("knn_k".length));
          const predicted = await knnClassify(labeledFeatures, labeled.labels, testFeatures, { k, temperature: suite.knn.temperature, numClasses });
          return { accuracy: accuracy(predicted, test.labels) };
        }
        if (method === "adapter") return adapterProtocol(data, suite.adapter, suite.linearProbe, seed);
        if (method === "finetune") return finetuned();
        if (method === "fixmatch") return fixmatch(data, encoderBytes, (await finetuned()).kept!, suite.fixmatch, strongAugment, seed);
        if (method === "supervised") return supervisedBaseline(data, meta.encoder, meta.inputShape, suite.supervised, seed);
        const r = await linearProbe(rawFeatures(labeled), labeled.labels, rawTest!, test.labels, probe);
        return { accuracy: r.accuracy, chosen: { l2: r.l2 } };
      }
    }
  }
  return finish("finished");

  function finish(status: EvalSuiteResult["status"]): EvalSuiteResult {
    return { status, backend: c.backend, benchmark: c.benchmark, encoderId, results, summary: summarize(results, suite.baselines), chosen };
  }
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

/** mean ± std over seeds per (method, fraction), in the order the methods ran. */
export function summarize(results: BenchmarkResultInput[], baselines: readonly string[]): SummaryRow[] {
  const groups = new Map<string, { method: string; labelFraction: number; values: number[] }>();
  for (const r of results) {
    const key = `${r.method}@${r.labelFraction}`;
    const g = groups.get(key) ?? { method: r.method, labelFraction: r.labelFraction, values: [] };
    g.values.push(r.value);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ method: g.method, baseline: baselines.includes(g.method), labelFraction: g.labelFraction, ...meanStd(g.values) }));
}

/** The labeled training pool and the test set, each limited (stratified, seeded) when the suite says so. */
function evaluationSets(suite: EvalSuite, dataset: Dataset): { pool: LabeledView; test: LabeledView } {
  if (!dataset.descriptor.hasLabels || !dataset.train.labels) throw new Error(`dataset ${dataset.descriptor.name} has no labels: it cannot be evaluated`);
  const splits = makeSplits(dataset, { seed: 0, testFraction: 0.2 });
  if (!splits.test) throw new Error(`dataset ${dataset.descriptor.name} has no labeled test part`);
  const pool = { ...splits.unlabeled, labels: Int32Array.from(splits.unlabeled.indices, (i) => dataset.train.labels![i]) };
  return { pool: limit(pool, suite.trainLimit, "train-limit"), test: limit(splits.test, suite.testLimit, "test-limit") };
}

function limit(view: LabeledView, max: number | undefined, label: string): LabeledView {
  if (max === undefined || max >= view.indices.length) return view;
  return subView(view, stratifiedSample(view.labels, allRows(view.indices.length), max / view.indices.length, new Rng(0).fork(label)));
}

function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function checkCompatible(meta: EncoderMeta, dataset: Dataset): void {
  const shape = dataset.descriptor.shape;
  if (meta.inputShape.join("x") !== shape.join("x")) {
    throw new Error(`encoder expects inputs of shape [${meta.inputShape}] but dataset ${dataset.descriptor.name} has samples of shape [${shape}]`);
  }
}

type RegisteredEncoderRef = { id: number; name?: string; version?: number };

async function registerEncoder(tracker: RunTracker, suite: EvalSuite, meta: EncoderMeta, dataset: Dataset, bytes: Uint8Array, ref?: EncoderRef): Promise<RegisteredEncoderRef> {
  if (ref && "id" in ref) return { id: ref.id, name: ref.name, version: ref.version };
  const d = dataset.descriptor;
  await tracker.registerDataset({
    name: d.name,
    source: JSON.stringify(suite.dataset),
    format: suite.dataset.kind,
    checksum: d.checksum,
    shape: d.shape,
    count: d.count,
    hasLabels: d.hasLabels,
    numClasses: d.classNames?.length ?? null,
  });
  const sourceRunId = ref?.sourceRunId;
  const artifactName = sourceRunId === undefined ? ENCODER_ARTIFACT : (ref?.artifactName ?? ENCODER_ARTIFACT);
  if (sourceRunId === undefined) await tracker.uploadArtifact(ENCODER_ARTIFACT, "encoder", bytes, { overwrite: true });
  const trainedOn = meta.dataset.name === d.name ? d.name : undefined; // lineage only when it was pretrained on this dataset
  const registered = await tracker.registerEncoder({
    name: ref?.name ?? suite.encoderName ?? `${meta.method}-${meta.dataset.name}`,
    runId: sourceRunId,
    artifactName,
    datasetName: trainedOn,
    architecture: JSON.stringify(meta.encoder),
    embeddingDim: meta.outDim,
    description: `${meta.method} encoder pretrained for ${meta.steps} steps on ${meta.dataset.name}`,
  });
  return registered;
}

function suiteParams(suite: EvalSuite, meta: EncoderMeta, benchmark: string): Record<string, string | number> {
  return {
    benchmark,
    "eval.protocols": suite.protocols.join(","),
    "eval.baselines": suite.baselines.join(","),
    "eval.fractions": suite.fractions.join(","),
    "eval.seeds": suite.seeds.join(","),
    "eval.knn.k": suite.knn.k.join(","),
    "eval.validation_fraction": suite.validationFraction,
    "encoder.method": meta.method,
    "encoder.architecture": JSON.stringify(meta.encoder),
    "encoder.steps": meta.steps,
  };
}

export function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}pct`;
}
