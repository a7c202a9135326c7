/**
 * The typed TypeScript client of the /api/v1 JSON API. Workers and scripts log through it:
 * metrics are buffered and sent in batches, failed requests are retried with back-off, and
 * whatever is buffered is flushed before the process exits.
 */
import type { LaunchInput } from "@/server/jobs/launch";
import type { Run } from "@/server/services/runs";
import type { CreateRun } from "@/server/validation";
import { toJsonValue } from "@/server/validation";
import { MetricBuffer } from "@/server/tracking/metric-buffer";
import type { BenchmarkResultInput, DatasetInfo, EncoderInfo, MetricPoint, ParamValue, RunExecution, RunStatus, RunTracker } from "@/server/tracking/tracker";

export class PretextApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PretextApiError";
  }
}

export interface ClientOptions {
  /** default: $PRETEXT_URL or http://localhost:3000 */
  baseUrl?: string;
  /** attempts per request for network errors, 5xx and 429 */
  attempts?: number;
  /** first back-off delay; doubles each attempt */
  backoffMs?: number;
  /** sent as `Authorization: Bearer <token>`; default: $PRETEXT_TOKEN */
  token?: string;
}

export interface SeriesResponse {
  key: string;
  total: number;
  downsampled: boolean;
  steps: number[];
  values: (number | "NaN" | "Infinity" | "-Infinity")[];
  timestamps: number[];
}

/** Where `npm run dev` and `npm start` serve the app. */
export const DEFAULT_APP_URL = "http://localhost:3000";

const HEARTBEAT_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PretextClient {
  readonly baseUrl: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly auth: Record<string, string>;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? (process.env.PRETEXT_URL || DEFAULT_APP_URL)).replace(/\/$/, "");
    this.attempts = opts.attempts ?? 6;
    this.backoffMs = opts.backoffMs ?? 200;
    const token = opts.token ?? process.env.PRETEXT_TOKEN;
    this.auth = token ? { authorization: `Bearer ${token}` } : {};
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const isBytes = body instanceof Uint8Array;
    let lastError: unknown;
    let retryAfterMs = 0;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) await sleep(Math.max(retryAfterMs, this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2)));
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { ...this.auth, ...(body === undefined ? {} : { "content-type": isBytes ? "application/octet-stream" : "application/json" }), ...headers },
          body: body === undefined ? undefined : isBytes ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
        });
      } catch (err) {
        lastError = err; // connection refused, reset, DNS: worth another try
        continue;
      }
      if (res.ok) return (res.headers.get("content-type")?.includes("json") ? res.json() : new Uint8Array(await res.arrayBuffer())) as Promise<T>;
      const message = await res
        .json()
        .then((j: { error?: string }) => j.error ?? res.statusText)
        .catch(() => res.statusText);
      lastError = new PretextApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
      if (res.status < 500 && res.status !== 429) break;
      // a 429 says how long to wait (seconds); the back-off applies when it says nothing
      retryAfterMs = res.status === 429 ? Number(res.headers.get("retry-after") ?? 0) * 1000 || 0 : 0;
    }
    throw lastError;
  }

  /** Enqueues a sweep: a parent run and one trial run per assignment (server/jobs/sweeps.ts). */
  launchSweep(config: unknown): Promise<{ parent: Run; trials: Run[] }> {
    return this.request("POST", "/api/v1/sweeps", config);
  }

  createRun(input: CreateRun = {}): Promise<Run> {
    return this.request("POST", "/api/v1/runs", input);
  }

  getRun(runId: number) {
    return this.request<Run & { params: Record<string, ParamValue> }>("GET", `/api/v1/runs/${runId}`);
  }

  readSeries(runId: number, key: string, opts: { maxPoints?: number; stepFrom?: number; stepTo?: number } = {}) {
    const q = new URLSearchParams(Object.entries(opts).map(([k, v]) => [k, String(v)]));
    return this.request<SeriesResponse>("GET", `/api/v1/runs/${runId}/metrics/${key.split("/").map(encodeURIComponent).join("/")}?${q}`);
  }

  /** Enqueues a job (pretrain, evaluate, sweep-trial) for a new run; any worker picks it up. */
  launch(input: LaunchInput): Promise<{ run: Run; jobId: string }> {
    return this.request("POST", "/api/v1/jobs", input);
  }

  cancel(runId: number): Promise<Run> {
    return this.request("POST", `/api/v1/runs/${runId}/cancel`, {});
  }

  tracker(runId: number, opts: { flushIntervalMs?: number } = {}): HttpRunTracker {
    return new HttpRunTracker(this, runId, opts.flushIntervalMs ?? 1000);
  }
}

/** A RunTracker over HTTP: batches of up to 10,000 points, sent in order, one request at a time. */
export class HttpRunTracker implements RunTracker {
  readonly runId: string;
  private readonly buffer: MetricBuffer;
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onExit = () => void this.flush().catch(() => {});

  constructor(
    private readonly client: PretextClient,
    private readonly id: number,
    flushIntervalMs: number,
  ) {
    this.runId = String(id);
    this.buffer = new MetricBuffer((batch) =>
      client.request("POST", this.path("/log"), {
        metrics: batch.map((p) => ({ key: p.key, step: p.step, value: toJsonValue(p.value), timestamp: p.wallTime })),
      }),
    );
    this.timer = setInterval(() => this.buffer.sendBuffered(), flushIntervalMs);
    this.timer.unref();
    // a run that logs rarely still shows it is alive (the server fails runs silent for an hour)
    this.heartbeat = setInterval(() => void client.request("POST", this.path("/heartbeat"), {}).catch(() => {}), HEARTBEAT_MS);
    this.heartbeat.unref();
    process.once("beforeExit", this.onExit);
  }

  private path(suffix: string) {
    return `/api/v1/runs/${this.id}${suffix}`;
  }

  async logParams(params: Record<string, ParamValue>) {
    await this.client.request("POST", this.path("/log"), { params });
  }

  logMetrics(points: MetricPoint[]) {
    this.buffer.push(points);
  }

  /** Sends everything buffered; rejects with the first failure since the last flush. */
  flush() {
    return this.buffer.flush();
  }

  async setTags(tags: Record<string, string>) {
    await this.client.request("POST", this.path("/tags"), { tags });
  }

  async setStatus(status: RunStatus, reason?: string) {
    await this.flush();
    await this.client.request("POST", this.path("/status"), { status, reason });
  }

  async registerDataset(info: DatasetInfo) {
    await this.client.request("POST", "/api/v1/datasets", info);
  }

  async setExecution(fields: RunExecution) {
    await this.client.request("PATCH", this.path(""), fields);
  }

  async uploadArtifact(name: string, kind: string, data: Uint8Array, options: { overwrite?: boolean } = {}) {
    const overwrite = options.overwrite ? "&overwrite=true" : "";
    return this.client.request<{ sha256: string; bytes: number }>("PUT", this.path(`/artifacts/${name}?kind=${encodeURIComponent(kind)}${overwrite}`), data);
  }

  async downloadArtifact(name: string) {
    return this.client.request<Uint8Array>("GET", this.path(`/artifacts/${name}`));
  }

  async registerEncoder(info: EncoderInfo) {
    const row = await this.client.request<{ id: number; name: string; version: number }>("POST", "/api/v1/encoders", { ...info, runId: info.runId ?? this.id });
    return { id: row.id, name: row.name, version: row.version };
  }

  async logBenchmarkResults(results: BenchmarkResultInput[]) {
    await this.client.request("POST", "/api/v1/benchmarks/results", { runId: this.id, results });
  }

  /** Stops the background flush timer; call after the last flush. */
  close() {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    process.off("beforeExit", this.onExit);
  }
}
