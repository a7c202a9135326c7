import type * as tf from "@tensorflow/tfjs-core";
import { auditOptionsSchema, type AuditOptions, type AuditOptionsInput } from "../../../server/jobs/configs/jobs";
import type { RunTracker } from "../../../server/tracking/tracker";
import { initBackend } from "../backend";
import type { Dataset, SampleSet } from "../data/dataset";
import { loadDataset } from "../data/load-dataset";
import type { SampleView } from "../data/splits";
import { loadEncoder, type LoadedEncoder } from "../eval/encoder-file";
import { embedView, rawFeatures, type Features } from "../eval/features";
import { Rng } from "../rng";
import { classBalance, type ClassBalance } from "./class-balance";
import { domainClassifierAuc } from "./domain-classifier";
import { contentHashes, exactDuplicates, exactOverlap } from "./exact-duplicates";
import { mmdRbf } from "./mmd";
import { nearDuplicatePairs } from "./near-duplicates";

export { auditOptionsSchema, type AuditOptions, type AuditOptionsInput };

export const AUDIT_ARTIFACT = "audit.json";

export interface AuditReport {
  dataset: { name: string; checksum: string; shape: number[]; parts: { train: number; test: number | null } };
  /** What similarity is measured on: encoder embeddings, or raw inputs (L2-normalized) without one. */
  features: "encoder" | "raw";
  exactDuplicates: Record<"train" | "test", { redundant: number; groups: number; examples: number[][] } | null>;
  nearDuplicates: { threshold: number } & Record<"train" | "test", { searched: number; pairs: number; examples: { a: number; b: number; cosine: number }[] } | null>;
  trainTestOverlap: {
    exact: { count: number; examples: { test: number; train: number }[] };
    near: { searchedTest: number; searchedTrain: number; count: number; examples: { test: number; train: number; cosine: number }[] };
  } | null;
  classBalance: { train: ClassBalance; test: ClassBalance | null } | null;
  domainGap: { pool: string; target: string; samples: { pool: number; target: number }; mmd2: number; bandwidth: number; domainClassifierAuc: number } | null;
}

export type AuditStage = "hashing" | "features" | "near-duplicates" | "overlap" | "domain-gap";

/**
 * Audits a dataset: exact duplicates (content hash) and near duplicates (cosine ≥ threshold on
 * encoder embeddings, or raw inputs without an encoder) in each part, train/test overlap, class
 * balance, and the domain gap (MMD, domain-classifier AUC) between the training pool and a target.
 */
export async function auditDataset(dataset: Dataset, o: AuditOptions, encoder?: LoadedEncoder, target?: Dataset, onStage?: (s: AuditStage) => void): Promise<AuditReport> {
  const d = dataset.descriptor;
  const rng = new Rng(o.seed);
  onStage?.("hashing");
  const trainHashes = contentHashes(dataset.train, d.shape);
  const testHashes = dataset.test ? contentHashes(dataset.test, d.shape) : null;
  const dupSummary = (hashes: string[]) => {
    const dup = exactDuplicates(hashes);
    return { redundant: dup.redundant, groups: dup.groups.length, examples: dup.groups.slice(0, o.examples) };
  };

  onStage?.("features");
  const featuresOf = makeFeatureFn(d.shape, encoder);
  const trainSample = subsample(dataset.train.count, o.maxNearSamples, rng.fork("near-train"));
  const testSample = dataset.test ? subsample(dataset.test.count, o.maxNearSamples, rng.fork("near-test")) : null;
  const trainFeatures = await featuresOf(dataset.train, trainSample);
  const testFeatures = dataset.test && testSample ? await featuresOf(dataset.test, testSample) : null;

  onStage?.("near-duplicates");
  const nearWithin = async (f: Features, sample: Int32Array, hashes: string[]) => {
    const pairs = (await nearDuplicatePairs(f, f, o.nearThreshold, { sameSet: true }))
      .map((p) => ({ a: sample[p.a], b: sample[p.b], cosine: p.cosine }))
      .filter((p) => hashes[p.a] !== hashes[p.b]); // identical ones are exact duplicates
    return { searched: sample.length, pairs: pairs.length, examples: pairs.slice(0, o.examples) };
  };
  const nearTrain = await nearWithin(trainFeatures, trainSample, trainHashes);
  const nearTest = testFeatures && testSample && testHashes ? await nearWithin(testFeatures, testSample, testHashes) : null;

  onStage?.("overlap");
  let overlap: AuditReport["trainTestOverlap"] = null;
  if (testHashes && testFeatures && testSample) {
    const exact = exactOverlap(trainHashes, testHashes);
    const near = (await nearDuplicatePairs(testFeatures, trainFeatures, o.nearThreshold, { sameSet: false, maxPerRow: 1 }))
      .map((p) => ({ test: testSample[p.a], train: trainSample[p.b], cosine: p.cosine }))
      .filter((p) => testHashes[p.test] !== trainHashes[p.train]);
    overlap = {
      exact: { count: exact.length, examples: exact.slice(0, o.examples).map(([test, train]) => ({ test, train })) },
      near: { searchedTest: testSample.length, searchedTrain: trainSample.length, count: near.length, examples: near.slice(0, o.examples) },
    };
  }

  onStage?.("domain-gap");
  const domainGap = await measureDomainGap(dataset, target, o, featuresOf, rng);
  const numClasses = d.classNames?.length ?? 0;
  return {
    dataset: { name: d.name, checksum: d.checksum, shape: d.shape, parts: { train: dataset.train.count, test: dataset.test?.count ?? null } },
    features: encoder ? "encoder" : "raw",
    exactDuplicates: { train: dupSummary(trainHashes), test: testHashes ? dupSummary(testHashes) : null },
    nearDuplicates: { threshold: o.nearThreshold, train: nearTrain, test: nearTest },
    trainTestOverlap: overlap,
    classBalance:
      dataset.train.labels && numClasses > 0
        ? { train: classBalance(dataset.train.labels, numClasses), test: dataset.test?.labels ? classBalance(dataset.test.labels, numClasses) : null }
        : null,
    domainGap,
  };
}

type FeatureFn = (set: SampleSet, rows: Int32Array) => Promise<Features>;

function makeFeatureFn(shape: number[], encoder?: LoadedEncoder): FeatureFn {
  return async (set, rows) => {
    const view: SampleView = { source: set, shape, indices: rows };
    if (!encoder) return rawFeatures(view);
    return embedView(view, (x: tf.Tensor) => encoder.encoder.apply(x), encoder.encoder.outDim, 1024);
  };
}

async function measureDomainGap(dataset: Dataset, target: Dataset | undefined, o: AuditOptions, featuresOf: FeatureFn, rng: Rng): Promise<AuditReport["domainGap"]> {
  const targetSet = target ? target.train : dataset.test;
  if (!targetSet) return null;
  if (target && target.descriptor.shape.join("x") !== dataset.descriptor.shape.join("x")) {
    throw new Error(`target ${target.descriptor.name} has samples of shape [${target.descriptor.shape}], the dataset [${dataset.descriptor.shape}]: they cannot be compared`);
  }
  const pool = await featuresOf(dataset.train, subsample(dataset.train.count, o.domainSamples, rng.fork("domain-pool")));
  const tgt = await featuresOf(targetSet, subsample(targetSet.count, o.domainSamples, rng.fork("domain-target")));
  const { mmd2, bandwidth } = mmdRbf(pool, tgt);
  return {
    pool: `${dataset.descriptor.name}/train`,
    target: target ? target.descriptor.name : `${dataset.descriptor.name}/test`,
    samples: { pool: pool.n, target: tgt.n },
    mmd2,
    bandwidth,
    domainClassifierAuc: await domainClassifierAuc(pool, tgt, o.seed),
  };
}

/** At most `max` of 0..n−1, seeded, in index order. */
function subsample(n: number, max: number, rng: Rng): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  return rng.permutation(n).subarray(0, max).sort();
}

/**
 * Loads the dataset (and target), audits it, and logs through `tracker` (an audit run): params,
 * summary metrics, and the whole report as the JSON artifact "audit.json".
 */
export async function runAudit(input: AuditOptionsInput, tracker?: RunTracker, extra: { encoderBytes?: Uint8Array; onStage?: (s: AuditStage) => void } = {}): Promise<AuditReport> {
  try {
    const parsed = auditOptionsSchema.safeParse(input);
    if (!parsed.success) throw new Error(`invalid audit options:\n${parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n")}`);
    const o = parsed.data;
    const { name: backend, device } = await initBackend(o.backend === "auto" ? undefined : o.backend);
    await tracker?.setStatus("running");
    await tracker?.setExecution({ backend, device });
    const dataset = await loadDataset(o.dataset);
    const target = o.target ? await loadDataset(o.target) : undefined;
    await tracker?.setTags({ kind: "audit", dataset: dataset.descriptor.name });
    await tracker?.logParams({ dataset: dataset.descriptor.name, "audit.near_threshold": o.nearThreshold, "audit.max_near_samples": o.maxNearSamples, "audit.domain_samples": o.domainSamples, "audit.encoder": Boolean(extra.encoderBytes) });
    const encoder = extra.encoderBytes ? loadEncoder(extra.encoderBytes, false) : undefined;
    let report: AuditReport;
    try {
      report = await auditDataset(dataset, o, encoder, target, extra.onStage);
    } finally {
      encoder?.dispose();
    }
    tracker?.logMetrics(auditMetrics(report).map(([key, value]) => ({ key, step: 0, value })));
    await tracker?.uploadArtifact(AUDIT_ARTIFACT, "report", new TextEncoder().encode(JSON.stringify(report, null, 2)), { overwrite: true });
    await tracker?.flush();
    await tracker?.setStatus("finished");
    return report;
  } catch (err) {
    await tracker?.flush().catch(() => undefined);
    await tracker?.setStatus("failed", err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/** The headline numbers of a report, as metric keys. */
export function auditMetrics(r: AuditReport): [string, number][] {
  const out: [string, number][] = [["audit/exact_duplicates/train", r.exactDuplicates.train?.redundant ?? 0]];
  if (r.exactDuplicates.test) out.push(["audit/exact_duplicates/test", r.exactDuplicates.test.redundant]);
  if (r.nearDuplicates.train) out.push(["audit/near_duplicates/train", r.nearDuplicates.train.pairs]);
  if (r.nearDuplicates.test) out.push(["audit/near_duplicates/test", r.nearDuplicates.test.pairs]);
  if (r.trainTestOverlap) out.push(["audit/overlap/exact", r.trainTestOverlap.exact.count], ["audit/overlap/near", r.trainTestOverlap.near.count]);
  if (r.classBalance) out.push(["audit/class_imbalance_ratio", r.classBalance.train.imbalanceRatio]);
  if (r.domainGap) out.push(["audit/domain_gap/mmd2", r.domainGap.mmd2], ["audit/domain_gap/classifier_auc", r.domainGap.domainClassifierAuc]);
  return out;
}
