import { stat, writeFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import type { RunTracker } from "../../server/tracking/tracker";
import { datasetSpecSchema, type DatasetSpec } from "./data/dataset-spec";
import { readEncoderArg, type RegisteredEncoderLoader } from "./cli-eval";
import { runAudit, type AuditReport, type AuditStage } from "./audit/run-audit";
import { pretextEncoderBytes } from "./eval/onnx-encoder";
import { numberFlag, parseFlags } from "./cli-args";

export const AUDIT_USAGE = `usage: pretext audit --dataset <spec or name> [--target <spec or name>] [--encoder <id|file.ptx>] [--threshold 0.98] [--max-near N] [--out <file.json>]
  --dataset    a registered dataset's name, "fashion-mnist", a folder of MNIST-format IDX files, or a dataset spec as JSON
               (e.g. '{"kind":"image-folder","dir":"photos"}'; schema: workers/engine/data/dataset-spec.ts)
  --target     the set to measure the domain gap against (default: the dataset's test part)
  --encoder    compare samples by this encoder's embeddings: a registered encoder's id or an encoder file (default: raw inputs)
  --threshold  cosine similarity at or above which samples are near duplicates (default 0.98)
  --max-near   near-duplicate search looks at most at this many samples per part (default 10000)
  --out        also write the report (audit.json) to this file`;

const STAGES: AuditStage[] = ["hashing", "features", "near-duplicates", "overlap", "domain-gap"];

/**
 * `pretext audit`: exact and near duplicates, train/test overlap, class balance and domain gap of a
 * dataset, with a progress bar; logged through `tracker` (the report as artifact "audit.json").
 */
export async function auditCommand(args: string[], tracker?: RunTracker, registered: { encoder?: RegisteredEncoderLoader; dataset?: RegisteredDatasetLoader } = {}): Promise<AuditReport> {
  const a = parseAuditArgs(args);
  const dataset = await resolveDatasetSpec(a.dataset, registered.dataset);
  const target = a.target ? await resolveDatasetSpec(a.target, registered.dataset) : undefined;
  const encoderBytes = a.encoder ? pretextEncoderBytes((await readEncoderArg(a.encoder, registered.encoder)).encoder, "an audit") : undefined;
  const bar = new cliProgress.SingleBar({ format: "audit |{bar}| {value}/{total} {stage}", stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(STAGES.length, 0, { stage: "loading" });
  try {
    const report = await runAudit({ dataset, target, nearThreshold: a.threshold, maxNearSamples: a.maxNear }, tracker, {
      encoderBytes,
      onStage: (s) => bar.update(STAGES.indexOf(s), { stage: s }),
    });
    bar.update(STAGES.length, { stage: "done" });
    bar.stop();
    if (a.out) await writeFile(a.out, JSON.stringify(report, null, 2));
    process.stdout.write(summarizeAudit(report) + (tracker ? `\nlogged to run ${tracker.runId} (artifact audit.json)` : "") + "\n");
    return report;
  } finally {
    bar.stop();
  }
}

interface AuditArgs {
  dataset: string;
  target?: string;
  encoder?: string;
  threshold?: number;
  maxNear?: number;
  out?: string;
}

export function parseAuditArgs(args: string[]): AuditArgs {
  const f = parseFlags(args, { dataset: {}, target: {}, encoder: {}, threshold: {}, "max-near": {}, out: {} }, ["dataset"], AUDIT_USAGE);
  return {
    dataset: f.dataset!,
    target: f.target,
    encoder: f.encoder,
    threshold: numberFlag("threshold", f.threshold),
    maxNear: numberFlag("max-near", f["max-near"]),
    out: f.out,
  };
}

/** Finds a registered dataset's spec by name (needs the database). */
export type RegisteredDatasetLoader = (name: string) => Promise<DatasetSpec>;

/** A dataset argument: JSON spec, "fashion-mnist", a folder (of MNIST-format IDX files), or a registered dataset's name. */
export async function resolveDatasetSpec(arg: string, registered?: RegisteredDatasetLoader): Promise<DatasetSpec> {
  if (arg.trimStart().startsWith("{")) {
    const parsed = datasetSpecSchema.safeParse(JSON.parse(arg));
    if (!parsed.success) throw new Error(`--dataset: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    return parsed.data;
  }
  if (arg === "fashion-mnist") return { kind: "fashion-mnist" };
  const isDir = await stat(arg).then((s) => s.isDirectory(), () => false);
  if (isDir) return { kind: "idx", dir: arg };
  if (registered) return registered(arg);
  throw new Error(`--dataset: "${arg}" is not a dataset spec (JSON), "fashion-mnist", or a folder`);
}

export function summarizeAudit(r: AuditReport): string {
  const lines = [
    `dataset ${r.dataset.name}: ${r.dataset.parts.train} train${r.dataset.parts.test !== null ? ` / ${r.dataset.parts.test} test` : ""}, compared on ${r.features} features`,
    `exact duplicates: train ${r.exactDuplicates.train?.redundant ?? 0}` + (r.exactDuplicates.test ? `, test ${r.exactDuplicates.test.redundant}` : ""),
    `near duplicates (cos ≥ ${r.nearDuplicates.threshold}): train ${r.nearDuplicates.train?.pairs ?? 0} pairs in ${r.nearDuplicates.train?.searched ?? 0}` +
      (r.nearDuplicates.test ? `, test ${r.nearDuplicates.test.pairs} pairs in ${r.nearDuplicates.test.searched}` : ""),
  ];
  if (r.trainTestOverlap) lines.push(`train/test overlap: ${r.trainTestOverlap.exact.count} exact, ${r.trainTestOverlap.near.count} near (of ${r.trainTestOverlap.near.searchedTest} test samples searched)`);
  if (r.classBalance) lines.push(`class balance (train): counts [${r.classBalance.train.counts}], max/min ${r.classBalance.train.imbalanceRatio.toFixed(2)}, normalized entropy ${r.classBalance.train.normalizedEntropy.toFixed(3)}`);
  if (r.domainGap) lines.push(`domain gap ${r.domainGap.pool} → ${r.domainGap.target}: MMD² ${r.domainGap.mmd2.toFixed(4)} (σ ${r.domainGap.bandwidth.toFixed(3)}), domain-classifier AUC ${r.domainGap.domainClassifierAuc.toFixed(3)}`);
  return lines.join("\n");
}
