/**
 * `pretext simulate`: sends a dataset's samples to a deployment of the running app at a steady rate,
 * optionally shifted (workers/engine/data/shift.ts) or drawn from another dataset for a window of
 * requests, so that drift monitoring has traffic with a known change in it. With --users, --outcome
 * and --effect it also plays the users of an A/B test: each request comes from a user of a pool (the
 * deployment's flag assigns them a version), and each served request logs an outcome event for its
 * user whose mean depends on the version that served it, so that experiment results have a known truth.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { PretextApiError, type PretextClient } from "@/server/client";
import { metricKey } from "@/server/names";
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
                        [--users N] [--outcome <metric>[:proportion|mean][:<base>]] [--effect <version>=<lift> ...]
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
  --seed         seed of the draws and of the noise (default 1)
  --users        send each request as one of N users (header x-pretext-user: user-0 ... user-{N-1}, drawn at random); the
                 deployment's flag assigns each user a version (default: no user header)
  --outcome      after each served request, log one outcome event of this metric for its user (POST /api/v1/events, in batches):
                 proportion: 1 with probability base, else 0; mean: a normal draw of mean base and sd base (default proportion,
                 base 0.1); the metric is defined when it is not (POST /api/v1/metrics); needs --users
  --effect       version=lift, repeatable: requests served by that encoder version draw their outcome with base x (1 + lift)
                 (e.g. 2=0.05: 5 % more; a proportion is clipped to [0, 1]); other versions lift 0; needs --outcome`;

/** The header the embed route assigns a version by (server/rollout/assign.ts's USER_HEADER). */
const USER_HEADER = "x-pretext-user";

export interface Outcome {
  metric: string;
  kind: "proportion" | "mean";
  base: number;
}

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
  /** the size of the user pool requests come from */
  users?: number;
  outcome?: Outcome;
  /** relative lift of the outcome's mean, by the encoder version that served the request */
  effects?: Record<number, number>;
}

const SPEC = {
  deployment: {},
  data: {},
  split: {},
  rate: {},
  batch: {},
  requests: {},
  drift: {},
  "drift-from": {},
  "drift-to": {},
  "switch-data": {},
  seed: {},
  users: {},
  outcome: {},
  effect: { multiple: true as const },
};

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const f = parseFlags(args, SPEC, ["deployment", "data"], SIMULATE_USAGE);
  const int = (flag: Exclude<keyof typeof SPEC, "effect">, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER, why = "") => {
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
    users: int("users", undefined, 1),
    outcome: f.outcome === undefined ? undefined : parseOutcome(f.outcome),
    effects: f.effect === undefined ? undefined : parseEffects(f.effect),
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
  if (parsed.outcome && parsed.users === undefined) throw new Error("--outcome needs --users: outcome events are logged per user, and the flag assigns versions per user");
  if (parsed.effects && !parsed.outcome) throw new Error("--effect needs --outcome: the effect is a lift of the outcome's mean");
  return parsed;
}

const OUTCOME_KINDS = ["proportion", "mean"] as const;

/** `<metric>[:<kind>][:<base>]`, e.g. clicked, clicked:proportion:0.1, revenue:mean:5, clicked:0.2. */
export function parseOutcome(arg: string): Outcome {
  const parts = arg.split(":");
  const fail = (why: string) => new Error(`--outcome ${arg}: ${why} (expected <metric>[:proportion|mean][:<base>], e.g. clicked:proportion:0.1)`);
  let base: number | undefined;
  let kind: Outcome["kind"] | undefined;
  const last = parts.at(-1)!;
  if (parts.length > 1 && last.trim() !== "" && Number.isFinite(Number(last))) {
    base = Number(last);
    parts.pop();
  }
  if (parts.length > 1) {
    const k = parts.pop()!;
    if (!(OUTCOME_KINDS as readonly string[]).includes(k)) throw fail(`the kind must be proportion or mean, got "${k}"`);
    kind = k as Outcome["kind"];
  }
  if (parts.length > 1) throw fail(`too many parts`);
  const key = metricKey.safeParse(parts[0]);
  if (!key.success) throw fail(`the metric ${key.error.issues[0].message}`);
  kind ??= "proportion";
  base ??= 0.1;
  if (kind === "proportion" && (base < 0 || base > 1)) throw fail(`a proportion's base must be from 0 to 1, got ${base}`);
  if (kind === "mean" && base <= 0) throw fail(`a mean's base must be above 0 (it is also the standard deviation), got ${base}`);
  return { metric: key.data, kind, base };
}

/** `--effect <version>=<relative lift>`, repeatable: {version: lift}. */
export function parseEffects(args: string[]): Record<number, number> {
  const effects: Record<number, number> = {};
  for (const arg of args) {
    const m = /^\s*(\d+)\s*=(.*)$/.exec(arg);
    if (!m) throw new Error(`--effect ${arg}: expected <version>=<relative lift>, e.g. 2=0.05 (version 2 lifts the outcome by 5 %)`);
    const version = Number(m[1]);
    const lift = Number(m[2]);
    if (version < 1) throw new Error(`--effect ${arg}: versions start at 1, got ${m[1]}`);
    if (m[2].trim() === "" || !Number.isFinite(lift)) throw new Error(`--effect ${arg}: the lift must be a number (relative: 0.05 is 5 % more), got "${m[2]}"`);
    if (lift < -1) throw new Error(`--effect ${arg}: a lift below -1 would make the mean negative, got ${lift}`);
    if (version in effects) throw new Error(`--effect ${arg}: version ${version} has an effect already (${effects[version]})`);
    effects[version] = lift;
  }
  return effects;
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
  /** with --users: per encoder version that served, the requests it served and, with --outcome, the outcome's observed and planted mean */
  versions?: Record<string, { requests: number; outcomeMean?: number; planted?: number }>;
  /** with --outcome: outcome events delivered, and those in batches that failed */
  events?: { sent: number; failed: number };
}

const MAX_IN_FLIGHT = 4;
const SHOWN_ERRORS = 3;
/** Requests that must all fail before the run stops: the app or the deployment is plainly not serving. */
const FIRST_WINDOW = 10;
const PROGRESS_EVERY_MS = 5000;
/** Outcome events a POST /api/v1/events carries (the route takes up to 10,000). */
const EVENT_BATCH = 200;

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
  if (a.outcome) await defineMetric(client, a.outcome, log);

  const draws = seededRandom(a.seed);
  const noise = seededRandom((a.seed ^ 0x9e3779b9) >>> 0); // its own stream: adding noise leaves the draws as they were
  // users and outcomes too: adding them leaves the samples drawn as they were. Outcome draws are taken when a request
  // starts, in request order, so the events are the same from the same seed however the responses interleave.
  const userDraws = seededRandom((a.seed ^ 0x85ebca6b) >>> 0);
  const outcomeDraws = seededRandom((a.seed ^ 0xc2b2ae35) >>> 0);
  const served = new Map<string, { requests: number; events: number; sum: number }>();
  const events = a.outcome ? eventSender(client, log) : undefined;
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
        `${stats.failed} failed, mean latency ${latency}${drifting ? `, drift ${inWindow(stats.sent - 1) ? "on" : "off"}` : ""}` +
        (events ? `, ${events.counts.sent} events sent` : ""),
    );
  };
  const timer = setInterval(() => progress(false), PROGRESS_EVERY_MS);
  timer.unref();

  /** A served request's version, and its outcome event: value drawn from `u` with the mean that version plants. */
  const observe = (reply: EmbedReply | undefined, user: string, u: [number, number] | undefined) => {
    const version = reply?.encoder?.version;
    const key = typeof version === "number" ? String(version) : "?";
    const row = served.get(key) ?? { requests: 0, events: 0, sum: 0 };
    served.set(key, row);
    row.requests++;
    if (!a.outcome || !events || !u) return;
    const value = outcomeValue(a.outcome, liftOf(a, key), u);
    row.events++;
    row.sum += value;
    events.add({ metric: a.outcome.metric, user, value });
  };

  const send = async (i: number, inputs: number[][], user?: string, u?: [number, number]) => {
    const t0 = performance.now();
    try {
      const reply = await client.request<EmbedReply | undefined>("POST", route, { inputs }, user === undefined ? {} : { [USER_HEADER]: user });
      stats.ok++;
      if (user !== undefined) observe(reply, user, u);
    } catch (err) {
      stats.failed++;
      const error = describeError(err);
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
      const user = a.users === undefined ? undefined : `user-${Math.floor(userDraws() * a.users)}`;
      const u: [number, number] | undefined = a.outcome ? [outcomeDraws(), outcomeDraws()] : undefined;
      lastStart = performance.now();
      stats.sent++;
      stats.samples += a.batch;
      if (drifted) stats.drifted++;
      const pending: Promise<void> = send(i, inputs, user, u).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await Promise.all(inFlight);
    await events?.flush();
  } finally {
    clearInterval(timer);
  }
  if (stop) throw stop;
  const elapsedS = (performance.now() - started) / 1000;
  // n requests span n - 1 intervals: the rate they were started at, comparable with --rate
  const achievedRate = stats.sent > 1 ? ((stats.sent - 1) * 1000) / (lastStart - started) : stats.sent / elapsedS;
  const summary: SimulationSummary = { requests: stats.sent, samples: stats.samples, ok: stats.ok, failed: stats.failed, drifted: stats.drifted, elapsedS, achievedRate };
  if (a.users !== undefined) {
    const byVersion = [...served].sort(([x], [y]) => (Number(x) || Infinity) - (Number(y) || Infinity));
    summary.versions = Object.fromEntries(
      byVersion.map(([key, row]) => [
        key,
        a.outcome ? { requests: row.requests, outcomeMean: row.events ? row.sum / row.events : NaN, planted: outcomeMean(a.outcome, liftOf(a, key)) } : { requests: row.requests },
      ]),
    );
  }
  if (events) summary.events = { sent: events.counts.sent, failed: events.counts.failed };
  log(table(summary, a.outcome));
  for (const version of Object.keys(a.effects ?? {})) {
    if (!served.has(version)) log(`--effect ${version}=${a.effects![Number(version)]}: no request was served by version ${version} (the deployment's flag decides who gets which version)`);
  }
  return summary;
}

/** What simulate reads of the embed route's answer. */
interface EmbedReply {
  encoder?: { id: number; name: string; version: number };
  experiment?: { key: string; variationId: number };
}

interface OutcomeEvent {
  metric: string;
  user: string;
  value: number;
}

/** An Error that says why: fetch says only "fetch failed", its cause says what failed. */
function describeError(err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  const cause = (error.cause as { code?: string; message?: string } | undefined)?.code ?? (error.cause as Error | undefined)?.message;
  if (cause && !error.message.includes(cause)) error.message += ` (${cause})`;
  return error;
}

/** The lift --effect plants for requests a version served (0 for the others). */
function liftOf(a: SimulateArgs, version: string): number {
  return a.effects?.[Number(version)] ?? 0;
}

/** The outcome's true mean under a lift: base x (1 + lift), a proportion clipped to [0, 1]. */
export function outcomeMean(o: Outcome, lift: number): number {
  const mean = o.base * (1 + lift);
  return o.kind === "proportion" ? Math.min(1, Math.max(0, mean)) : mean;
}

/** One outcome from two uniform draws: a Bernoulli of the mean, or a normal of that mean and sd base (Box–Muller). */
function outcomeValue(o: Outcome, lift: number, [u1, u2]: [number, number]): number {
  const mean = outcomeMean(o, lift);
  if (o.kind === "proportion") return u1 < mean ? 1 : 0;
  return mean + o.base * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2); // 1 - u1 is in (0, 1]
}

/** Defines the outcome metric, unless it exists already (409); one of another kind is refused rather than mixed. */
async function defineMetric(client: PretextClient, o: Outcome, log: (line: string) => void): Promise<void> {
  try {
    await client.request("POST", "/api/v1/metrics", { key: o.metric, kind: o.kind });
    log(`defined metric ${o.metric} (${o.kind})`);
    return;
  } catch (err) {
    if (!(err instanceof PretextApiError && err.status === 409)) throw new Error(`--outcome: could not define the metric ${o.metric}: ${describeError(err).message}`);
  }
  const metrics = await client.request<unknown>("GET", "/api/v1/metrics").catch(() => undefined);
  const existing = Array.isArray(metrics) ? (metrics as { key?: string; kind?: string }[]).find((m) => m.key === o.metric) : undefined;
  if (existing?.kind && existing.kind !== o.kind) {
    throw new Error(`--outcome ${o.metric}:${o.kind}: the metric ${o.metric} exists already as a ${existing.kind} metric; log ${existing.kind} outcomes to it, or name another metric`);
  }
  log(`metric ${o.metric} exists already (${existing?.kind ?? o.kind}): the events are added to it`);
}

/** Buffers outcome events and sends them EVENT_BATCH at a time, one request after another; a failed batch is counted, and the first shown. */
function eventSender(client: PretextClient, log: (line: string) => void) {
  const counts = { sent: 0, failed: 0, failedBatches: 0 };
  let buffer: OutcomeEvent[] = [];
  let chain = Promise.resolve();
  const flush = () => {
    if (!buffer.length) return chain;
    const batch = buffer;
    buffer = [];
    chain = chain.then(async () => {
      try {
        await client.request("POST", "/api/v1/events", { events: batch });
        counts.sent += batch.length;
      } catch (err) {
        counts.failed += batch.length;
        if (++counts.failedBatches === 1) log(`outcome events failed: ${describeError(err).message} (further failed batches are counted, not shown)`);
      }
    });
    return chain;
  };
  return {
    counts,
    flush,
    add(event: OutcomeEvent) {
      buffer.push(event);
      if (buffer.length >= EVENT_BATCH) void flush();
    },
  };
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

const percent = (lift: number) => `${lift >= 0 ? "+" : ""}${Number((lift * 100).toPrecision(6))} %`;

function header(a: SimulateArgs, base: Source, alternative?: Source): string {
  const window = `requests ${a.driftFrom}-${a.driftTo === undefined ? "end" : a.driftTo - 1}`;
  const changes = [a.drift && `drift ${describeShift(a.drift)}`, alternative && `data switched to ${alternative.name} (${alternative.part}, ${alternative.set.count} samples)`].filter(Boolean);
  const part = base.part === a.split ? base.part : `${base.part}: ${base.name} has no ${a.split} part`;
  return (
    `simulate: deployment ${a.deployment}, data ${base.name} (${part}, ${base.set.count} samples of [${base.shape}]), ` +
    `${a.rate} requests/s, batch ${a.batch}, ${a.requests} requests, ${changes.length ? `${changes.join(" and ")} on ${window}` : "no drift"}` +
    (a.users === undefined ? "" : `, ${a.users} users (${USER_HEADER}: user-0 ... user-${a.users - 1})`) +
    (a.outcome ? `, outcome ${a.outcome.metric} (${a.outcome.kind}, base ${a.outcome.base}; ${describeEffects(a.effects)})` : "")
  );
}

function describeEffects(effects: Record<number, number> | undefined): string {
  const entries = Object.entries(effects ?? {});
  if (!entries.length) return "no effect: every version +0 %";
  return `${entries.map(([version, lift]) => `version ${version} ${percent(lift)}`).join(", ")}, other versions +0 %`;
}

function table(s: SimulationSummary, outcome?: Outcome): string {
  const rows: [string, string][] = [
    ["requests", String(s.requests)],
    ["samples", String(s.samples)],
    ["ok", String(s.ok)],
    ["failed", String(s.failed)],
    ["drifted requests", String(s.drifted)],
    ["elapsed s", s.elapsedS.toFixed(1)],
    ["achieved rate", `${s.achievedRate.toFixed(1)} requests/s`],
  ];
  for (const [version, v] of Object.entries(s.versions ?? {})) {
    const mean = outcome && v.planted !== undefined ? `, ${outcome.metric} mean ${v.outcomeMean!.toFixed(3)} (planted ${v.planted.toFixed(3)})` : "";
    rows.push([`version ${version}`, `${v.requests} requests${mean}`]);
  }
  if (s.events) rows.push(["outcome events", `${s.events.sent} sent, ${s.events.failed} failed`]);
  return rows.map(([k, v]) => `${k.padEnd(18)}${v}`).join("\n");
}
