import { badInput } from "../../../server/errors";
import { HEAD_ARTIFACT, writeHeadFile } from "../../../server/registry/head-file";
import { loadModel } from "../../../server/serving/runtime";
import type { BenchmarkResultInput, RunTracker } from "../../../server/tracking/tracker";
import { makeAugmenter } from "../augment/augmenter";
import { initBackend } from "../backend";
import type { Dataset } from "../data/dataset";
import { loadDataset } from "../data/load-dataset";
import { makeSplits, stratifiedSample, type LabeledView, type SampleView } from "../data/splits";
import { Rng } from "../rng";
import { ENCODER_ARTIFACT } from "../train/pretrain";
import { adapterProtocol } from "./adapter";
import { loadEncoder, readEncoderMeta, type EncoderMeta } from "./encoder-file";
import { EMBEDDING_MAP_ARTIFACT, embeddingMap } from "./embedding-map";
import { embedView, embedViewOnnx, rawFeatures, selectRows, type Features } from "./features";
import { finetune } from "./finetune";
import { fixmatch } from "./fixmatch";
import { stratifiedHoldout } from "./holdout";
import { knnClassify } from "./knn";
import { subView, type LabeledData, type Policy } from "./labeled-data";
import { linearProbe } from "./linear-probe";
import { checkSpecFitsDataset, onnxRefusal, parseOnnxSuite, type EvaluatedEncoder, type OnnxEncoderModel } from "./onnx-encoder";
import { accuracy, meanStd } from "./stats";
import { parseEvalSuite, TEST_ACCURACY, type EvalSuite, type EvalSuiteInput } from "./suite";
import { supervisedBaseline } from "./supervised";

/**
 * Which registered encoder the results belong to: an existing one, or register one now — with
 * `sourceRunId`, its lineage is that run's artifact `artifactName` (default "encoder.ptx").
 */
export type EncoderRef = { id: number; name?: string; version?: number } | { name?: string; sourceRunId?: number; artifactName?: string };

/** The encoder as the suite uses it: a Pretext encoder with its metadata, or an ONNX model with its spec. */
type EncoderUnderTest = { format: "pretext"; bytes: Uint8Array; meta: EncoderMeta } | ({ format: "onnx" } & OnnxEncoderModel);

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
  /** Hyperparameters each (method, fraction, seed) chose on validation, and the steps it spent. */
  chosen: { method: string; labelFraction: number; seed: number; chosen: Record<string, number | string> }[];
}

export const BENCHMARK_ARTIFACT = "benchmark.json";

/**
 * Evaluates an encoder with every protocol of the suite at each label fraction and seed, beside the
 * baselines on the same labeled subsets, and logs through `tracker` (a fresh evaluation run):
 * params, per-result metrics, benchmark results, the registered encoder, a "benchmark.json"
 * summary, the embedding map "embeddings-2d.json" (PCA of test embeddings) and "head.ptx", the
 * linear probe fitted at the largest label fraction with the first seed. Frozen-encoder embeddings
 * are computed once, in batches. An ONNX encoder (evaluated by its registered id) runs only the
 * protocols on its embeddings (see onnx-encoder.ts).
 */
export async function runEvaluationSuite(suiteInput: EvalSuiteInput, evaluated: EvaluatedEncoder, tracker?: RunTracker, opts: EvalOptions = {}): Promise<EvalSuiteResult> {
  try {
    const suite = evaluated instanceof Uint8Array ? parseEvalSuite(suiteInput) : parseOnnxSuite(suiteInput);
    const { name: backend, device } = await initBackend(suite.backend === "auto" ? undefined : suite.backend);
    // decoding a Pretext file makes tensors: after the backend is ready
    const encoderUnderTest: EncoderUnderTest =
      evaluated instanceof Uint8Array ? { format: "pretext", bytes: evaluated, meta: readEncoderMeta(evaluated) } : { format: "onnx", ...evaluated };
    await tracker?.setStatus("running");
    await tracker?.setExecution({ backend, device });
    const dataset = await loadDataset(suite.dataset);
    checkCompatible(encoderUnderTest, dataset);
    const benchmark = suite.benchmark ?? `label-efficiency/${dataset.descriptor.name}`;
    await tracker?.setTags({ kind: "evaluation", benchmark });
    await tracker?.logParams(suiteParams(suite, encoderUnderTest, benchmark));
    const encoder = tracker ? await registerEncoder(tracker, suite, encoderUnderTest, dataset, opts.encoder) : null;
    const result = await evaluate(suite, encoderUnderTest, dataset, { benchmark, backend, encoder, tracker, opts });
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

async function evaluate(suite: EvalSuite, encoder: EncoderUnderTest, dataset: Dataset, c: EvalContext): Promise<EvalSuiteResult> {
  const numClasses = dataset.descriptor.classNames?.length ?? 0;
  const { pool, test } = evaluationSets(suite, dataset);
  const [poolFeatures, testFeatures] = await embedFrozen(encoder, [pool, test], suite.embedBatchSize);
  /** The Pretext encoder, for protocols that train or rebuild it (parseOnnxSuite keeps them off ONNX encoders). */
  const weights = (method: string) => {
    if (encoder.format !== "pretext") throw onnxRefusal(method);
    return encoder;
  };
  if (c.tracker) {
    const map = embeddingMap(testFeatures, test.labels, c.encoder ?? {}, { classNames: dataset.descriptor.classNames });
    await c.tracker.uploadArtifact(EMBEDDING_MAP_ARTIFACT, "report", new TextEncoder().encode(JSON.stringify(map)), { overwrite: true });
  }
  const encoderId = c.encoder?.id ?? null;
  const rawTest = suite.baselines.includes("raw_linear") ? rawFeatures(test) : null;
  const policies = suite.selection.policies.map((p) => ({ name: p.name, config: p.augment, augment: makeAugmenter(dataset.descriptor.kind, p.augment) }));
  // FixMatch's strong view flips only where the weak view's chosen policy does
  const strongAugment = (policy: Policy) => makeAugmenter(dataset.descriptor.kind, { ...suite.fixmatch.strongAugment, flip: policy.config.flip > 0 ? suite.fixmatch.strongAugment.flip : 0 });
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
        labeled,
        fit: subView(labeled, fit),
        val: subView(labeled, val),
        test,
        unlabeled,
        features: { labeled: labeledFeatures, fit: selectRows(labeledFeatures, fit), val: selectRows(labeledFeatures, val), test: testFeatures },
        policies,
        selection: { ...suite.selection, validationFraction: suite.validationFraction, seed },
        signal: c.opts.signal,
      };
      const probe = { ...suite.linearProbe, numClasses, validationFraction: suite.validationFraction, seed };
      const batch: BenchmarkResultInput[] = [];
      // FixMatch continues from this cell's fine-tuned network: fine-tuning runs once for both
      const finetuned = lazy(() => finetune(data, weights("finetune").bytes, suite.finetune, suite.linearProbe, seed, suite.protocols.includes("fixmatch")));
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
        batch.push({ encoderId: baseline ? null : encoderId, benchmark: c.benchmark, method, labelFraction, seed, metric: TEST_ACCURACY, value: outcome.accuracy, settings: outcome.chosen });
        if (outcome.chosen) chosen.push({ method, labelFraction, seed, chosen: outcome.chosen });
        c.tracker?.logMetrics([{ key: `eval/${method}/${percent(labelFraction)}`, step: seed, value: outcome.accuracy }]);
        done += 1;
        c.opts.onProgress?.({ done, total, last: `${method} ${percent(labelFraction)} seed ${seed}: ${outcome.accuracy.toFixed(4)}` });
      }
      results.push(...batch);
      await c.tracker?.logBenchmarkResults(batch);

      async function runMethod(method: string): Promise<{ accuracy: number; chosen?: Record<string, number | string> }> {
        if (method === "linear_probe") {
          const r = await linearProbe(labeledFeatures, labeled.labels, testFeatures, test.labels, probe);
          if (c.tracker && labelFraction === Math.max(...suite.fractions) && seed === suite.seeds[0]) {
            const head = writeHeadFile({ meta: { kind: "pretext-head", method, numClasses, labelFraction, seed, inputDim: testFeatures.d }, ...r.head });
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
        if (method === "fixmatch") {
          const start = await finetuned();
          return fixmatch(data, weights("fixmatch").bytes, start, suite.fixmatch, strongAugment(start.recipe.policy), seed);
        }
        if (method === "supervised") {
          const { meta } = weights("supervised");
          return supervisedBaseline(data, meta.encoder, meta.inputShape, suite.supervised, seed);
        }
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

/** Frozen-encoder embeddings of each view: the tfjs encoder rebuilt from a Pretext file, or the ONNX model as serving runs it. */
async function embedFrozen(encoder: EncoderUnderTest, views: SampleView[], batchSize: number): Promise<Features[]> {
  const features: Features[] = [];
  if (encoder.format === "onnx") {
    const model = await loadModel(encoder.onnx, encoder.spec);
    try {
      for (const view of views) features.push(await embedViewOnnx(view, model, encoder.spec, batchSize));
    } finally {
      await model.dispose();
    }
    return features;
  }
  const frozen = loadEncoder(encoder.bytes, false);
  try {
    const apply = frozen.encoder.apply.bind(frozen.encoder);
    for (const view of views) features.push(await embedView(view, apply, encoder.meta.outDim, batchSize));
  } finally {
    frozen.dispose();
  }
  return features;
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

function checkCompatible(encoder: EncoderUnderTest, dataset: Dataset): void {
  const shape = dataset.descriptor.shape;
  if (encoder.format === "onnx") return checkSpecFitsDataset(encoder.spec, shape, dataset.descriptor.name);
  if (encoder.meta.inputShape.join("x") !== shape.join("x")) {
    throw badInput(`encoder expects inputs of shape [${encoder.meta.inputShape}] but dataset ${dataset.descriptor.name} has samples of shape [${shape}]`);
  }
}

type RegisteredEncoderRef = { id: number; name?: string; version?: number };

async function registerEncoder(tracker: RunTracker, suite: EvalSuite, encoder: EncoderUnderTest, dataset: Dataset, ref?: EncoderRef): Promise<RegisteredEncoderRef> {
  if (ref && "id" in ref) return { id: ref.id, name: ref.name, version: ref.version };
  if (encoder.format !== "pretext") throw badInput("encoder: an ONNX model is evaluated as a registered encoder, by its id (register it with its modelSpec first)");
  const { meta, bytes } = encoder;
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

function suiteParams(suite: EvalSuite, encoder: EncoderUnderTest, benchmark: string): Record<string, string | number> {
  const about: Record<string, string | number> =
    encoder.format === "onnx"
      ? { "encoder.format": "onnx", "encoder.spec": JSON.stringify(encoder.spec) }
      : { "encoder.method": encoder.meta.method, "encoder.architecture": JSON.stringify(encoder.meta.encoder), "encoder.steps": encoder.meta.steps };
  return {
    benchmark,
    "eval.protocols": suite.protocols.join(","),
    "eval.baselines": suite.baselines.join(","),
    "eval.fractions": suite.fractions.join(","),
    "eval.seeds": suite.seeds.join(","),
    "eval.knn.k": suite.knn.k.join(","),
    "eval.validation_fraction": suite.validationFraction,
    ...about,
  };
}

export function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}pct`;
}
