/**
 * A monitor's check: cut the served samples into the windows that are complete, compare each with
 * the reference (only samples of the version that served at the window's end, for embeddings), store
 * its figures, and let the monitor's alert rules see it. A window is stored once even when two
 * checks race (unique per monitor and window index); each check continues after the last one stored.
 */
import { eq } from "drizzle-orm";
import { driftMonitors, driftResults, type FeatureStats, type FeatureSummaries, type ModelSpec } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { PretextError } from "@/server/errors";
import { evaluateRules } from "@/server/alerts/rules";
import { sampleSize } from "@/server/registry/model-spec";
import { loadEncoderModel } from "@/server/serving/serve";
import { preprocess } from "@/server/serving/preprocess";
import { detectDrift } from "./detect";
import { featureSummaries, inputFeatures, summarizeInputs } from "./input-features";
import type { Samples } from "./mmd";
import { getMonitor, type DriftResultRow, type MonitorView } from "./monitors";

/** Reference samples drawn from served traffic, at most. */
const MAX_REFERENCE = 2000;
/** Samples of a time window tested, at most (drawn evenly at random). */
const MAX_WINDOW = 5000;
/** Windows one check stores, at most: a long backlog is worked off over several checks. */
const MAX_WINDOWS_PER_CHECK = 100;

/** Raw samples of a dataset, in the units served inputs have (pixels 0-255, raw features). */
export interface ReferenceData {
  raw: Float32Array;
  n: number;
  shape: number[];
}
/** Reads `size` samples of a dataset's split; a worker provides it (datasets are read there). */
export type LoadReferenceData = (data: string, split: "train" | "test", size: number, seed: number) => Promise<ReferenceData>;

export interface CheckOptions {
  loadData?: LoadReferenceData;
  now?: Date;
}

interface ServedSample {
  id: number;
  at: Date;
  encoderId: number | null;
  values: number[];
}

interface Window {
  index: number;
  start: Date;
  end: Date;
  lastSampleId: number;
  samples: ServedSample[];
}

export async function checkMonitor(database: Database, monitorId: number, opts: CheckOptions = {}): Promise<DriftResultRow[]> {
  const monitor = await getMonitor(database, monitorId);
  const stored: DriftResultRow[] = [];
  try {
    let last = monitor.latest;
    for (let k = 0; k < MAX_WINDOWS_PER_CHECK; k++) {
      const window = await nextWindow(database, monitor, last, opts.now ?? new Date());
      if (!window) break;
      const result = await storeWindow(database, monitor, window, await testWindow(database, monitor, window, opts));
      if (!result) break; // another check stored this window first
      stored.push(result);
      last = result;
    }
    await database.db.update(driftMonitors).set({ lastCheckAt: new Date(), lastCheckError: null }).where(eq(driftMonitors.id, monitorId));
    return stored;
  } catch (err) {
    await database.db
      .update(driftMonitors)
      .set({ lastCheckAt: new Date(), lastCheckError: (err as Error).message.slice(0, 2000) })
      .where(eq(driftMonitors.id, monitorId));
    throw err;
  }
}

async function nextWindow(database: Database, monitor: MonitorView, last: DriftResultRow | null, now: Date): Promise<Window | null> {
  const index = (last?.windowIndex ?? -1) + 1;
  const column = monitor.target === "input" ? "input" : "embedding";
  if (monitor.window.kind === "count") {
    const rows = await samples(
      database,
      column,
      `deployment_id = $1 and id > $2 and at >= $3 order by id limit $4`,
      [monitor.deploymentId, last?.lastSampleId ?? 0, monitor.createdAt, monitor.window.size],
    );
    if (rows.length < monitor.window.size) return null;
    return { index, start: rows[0].at, end: rows.at(-1)!.at, lastSampleId: rows.at(-1)!.id, samples: rows };
  }
  const ms = monitor.window.minutes * 60_000;
  const start = new Date(monitor.createdAt.getTime() + index * ms);
  const end = new Date(start.getTime() + ms);
  if (end > now) return null;
  const rows = await samples(
    database,
    column,
    `deployment_id = $1 and at >= $2 and at < $3 order by md5(id::text) limit $4`,
    [monitor.deploymentId, start, end, MAX_WINDOW],
  );
  rows.sort((a, b) => a.id - b.id);
  return { index, start, end, lastSampleId: rows.at(-1)?.id ?? last?.lastSampleId ?? 0, samples: rows };
}

async function samples(database: Database, column: "input" | "embedding", where: string, values: unknown[]): Promise<ServedSample[]> {
  const rows = await query<{ id: string | number; at: Date | string; encoder_id: number | null; values: number[] }>(
    database,
    `select id, at, encoder_id, ${column} as values from inference_samples where ${where}`,
    values,
  );
  return rows.map((r) => ({ id: Number(r.id), at: new Date(r.at), encoderId: r.encoder_id, values: r.values }));
}

interface Tested {
  status: DriftResultRow["status"];
  encoderId: number | null;
  referenceSamples: number;
  currentSamples: number;
  figures: Record<string, number>;
  features?: FeatureSummaries;
  detail: string;
}

async function testWindow(database: Database, monitor: MonitorView, window: Window, opts: CheckOptions): Promise<Tested> {
  // the version that served at the window's end: embeddings of different versions are not comparable
  const encoderId = window.samples.at(-1)?.encoderId ?? null;
  const current = monitor.target === "embedding" ? window.samples.filter((s) => s.encoderId === encoderId) : window.samples;
  const tooFew = (detail: string, referenceSamples = 0): Tested => ({ status: "too_few_samples", encoderId, referenceSamples, currentSamples: current.length, figures: {}, detail });
  if (current.length < monitor.minSamples || encoderId === null) {
    const of = monitor.target === "embedding" && encoderId !== null ? ` from encoder version ${encoderId}` : "";
    return tooFew(`the window holds ${current.length} samples${of}; the monitor needs at least ${monitor.minSamples}`);
  }
  const reference = await referenceFor(database, monitor, encoderId, opts);
  if (reference.rows.length === 0 || reference.rows.length < monitor.minSamples) {
    return tooFew(`the reference holds ${reference.rows.length} samples${reference.of}; the monitor needs at least ${monitor.minSamples}`, reference.rows.length);
  }
  const figures: Record<string, number> = {};
  let compared: { ref: Samples; cur: Samples };
  let features: FeatureSummaries | undefined;
  if (monitor.target === "input") {
    const raw = rowsToArray(current.map((s) => s.values));
    const { names, stats } = featureSummaries(raw, current.length, reference.spec);
    features = { names, reference: reference.features, current: stats };
    const summary = summarizeInputs(raw);
    figures["input.mean"] = summary.mean;
    figures["input.std"] = summary.std;
    figures["input.missing_rate"] = summary.missingRate;
    figures["input.mean_shift"] = reference.summary.std > 0 ? (summary.mean - reference.summary.mean) / reference.summary.std : 0;
    compared = { ref: reference.samples, cur: inputFeatures(raw, current.length, reference.spec) };
  } else {
    const dim = current[0].values.length;
    compared = { ref: reference.samples, cur: { data: rowsToArray(current.map((s) => s.values)), rows: current.length, dim } };
  }
  const detection = detectDrift(compared.ref, compared.cur, monitor.tests, monitor.id * 1_000_003 + window.index);
  Object.assign(figures, detection.figures);
  return {
    status: detection.flagged.length ? "drift" : "ok",
    encoderId,
    referenceSamples: compared.ref.rows,
    currentSamples: compared.cur.rows,
    figures,
    features,
    detail: detection.flagged.length ? `flagged by ${detection.flagged.join(", ")}` : "",
  };
}

interface Reference {
  rows: { length: number };
  samples: Samples;
  spec: Pick<ModelSpec, "shape" | "layout">;
  summary: ReturnType<typeof summarizeInputs>;
  /** per-feature summaries of the raw reference inputs */
  features: FeatureStats;
  of: string;
}

const NO_STATS: FeatureStats = { mean: [], std: [], missing: [] };

// References are computed once per monitor, version and config, and kept while this process lives.
const references = new Map<string, Promise<Reference>>();

function referenceFor(database: Database, monitor: MonitorView, encoderId: number, opts: CheckOptions): Promise<Reference> {
  const key = JSON.stringify([monitor.id, monitor.target, monitor.reference, encoderId]);
  let pending = references.get(key);
  if (!pending) {
    pending = buildReference(database, monitor, encoderId, opts);
    references.set(key, pending);
    pending.catch(() => references.delete(key));
    if (references.size > 32) references.delete(references.keys().next().value!);
  }
  return pending;
}

async function buildReference(database: Database, monitor: MonitorView, encoderId: number, opts: CheckOptions): Promise<Reference> {
  const r = monitor.reference;
  if (r.kind === "traffic") {
    const spec = await servedSpec(database, encoderId);
    const column = monitor.target === "input" ? "input" : "embedding";
    const byVersion = monitor.target === "embedding" ? " and encoder_id = $4" : "";
    const rows = await samples(
      database,
      column,
      `deployment_id = $1 and at >= $2 and at <= $3${byVersion} order by md5(id::text) limit ${MAX_REFERENCE}`,
      [monitor.deploymentId, r.from, r.to, ...(byVersion ? [encoderId] : [])],
    );
    const raw = rowsToArray(rows.map((s) => s.values));
    const of = monitor.target === "embedding" ? ` of encoder version ${encoderId} between ${r.from} and ${r.to}` : ` between ${r.from} and ${r.to}`;
    const inputs = monitor.target === "input";
    const common = { rows, spec, summary: summarizeInputs(raw), features: inputs ? featureSummaries(raw, rows.length, spec).stats : NO_STATS, of };
    if (rows.length === 0) return { ...common, samples: { data: raw, rows: 0, dim: 0 } };
    return { ...common, samples: inputs ? inputFeatures(raw, rows.length, spec) : { data: raw, rows: rows.length, dim: rows[0].values.length } };
  }
  if (!opts.loadData) throw new PretextError(409, `reference: monitor ${monitor.name} compares with dataset ${r.data}, which only a worker can read`);
  const data = await opts.loadData(r.data, r.split, r.size, monitor.id);
  const { model, spec } = await loadEncoderModel(database, encoderId);
  try {
    if (data.raw.length !== data.n * sampleSize(spec)) {
      throw new PretextError(400, `reference: dataset ${r.data} has samples of shape [${data.shape}], the encoder takes [${spec.shape}]`);
    }
    const of = ` in dataset ${r.data} (${r.split})`;
    const rows = { length: data.n };
    const common = { rows, spec, summary: summarizeInputs(data.raw), of };
    if (monitor.target === "input") return { ...common, samples: inputFeatures(data.raw, data.n, spec), features: featureSummaries(data.raw, data.n, spec).stats };
    const size = sampleSize(spec);
    const parts: Float32Array[] = [];
    let dim = 0;
    for (let i = 0; i < data.n; i += 256) {
      const n = Math.min(256, data.n - i);
      const out = await model.run(preprocess(data.raw.subarray(i * size, (i + n) * size), n, spec), n);
      parts.push(Float32Array.from(out.embedding));
      dim = out.dim;
    }
    const embedded = new Float32Array(data.n * dim);
    parts.reduce((offset, p) => (embedded.set(p, offset), offset + p.length), 0);
    return { ...common, samples: { data: embedded, rows: data.n, dim }, features: NO_STATS };
  } finally {
    await model.dispose();
  }
}

async function servedSpec(database: Database, encoderId: number): Promise<ModelSpec> {
  const [row] = await query<{ model_spec: ModelSpec | null }>(database, `select model_spec from encoders where id = $1`, [encoderId]);
  if (!row?.model_spec) throw new PretextError(409, `encoder ${encoderId} has no model spec`);
  return row.model_spec;
}

function rowsToArray(rows: number[][]): Float32Array {
  const width = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new PretextError(500, `stored samples have ${width} and ${r.length} values`);
    out.set(r, i * width);
  });
  return out;
}

/** Stores a window's result and, in the same transaction, moves the monitor's alert rules; null when it was stored already. */
async function storeWindow(database: Database, monitor: MonitorView, window: Window, tested: Tested): Promise<DriftResultRow | null> {
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(driftResults)
      .values({ monitorId: monitor.id, windowIndex: window.index, windowStart: window.start, windowEnd: window.end, lastSampleId: window.lastSampleId, ...tested })
      .onConflictDoNothing()
      .returning();
    if (row) await evaluateRules(tx, monitor, row);
    return row ?? null;
  });
}
