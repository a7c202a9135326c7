/**
 * What a training or evaluation job needs from the tracking core. Workers and the ML engine
 * depend on this interface only; `server/client` (HTTP) and `server/tracking/local-tracker`
 * (direct database access, embedded mode) implement it.
 */
export type ParamValue = string | number | boolean | null;

export interface MetricPoint {
  key: string;
  step: number;
  value: number; // NaN and ±Infinity are allowed and kept
  /** ms since epoch; defaults to now */
  wallTime?: number;
}

export type RunStatus = "queued" | "running" | "finished" | "failed" | "cancelled";

export interface RunTracker {
  readonly runId: string;
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** Buffered; sent in batches. Call flush() to wait for delivery. */
  logMetrics(points: MetricPoint[]): void;
  /** Merge tags (e.g. {backend: "wasm"}, {warning: "collapse"}) into the run. */
  setTags(tags: Record<string, string>): Promise<void>;
  setStatus(status: RunStatus, reason?: string): Promise<void>;
  uploadArtifact(name: string, kind: string, data: Uint8Array): Promise<{ sha256: string; bytes: number }>;
  downloadArtifact(name: string): Promise<Uint8Array>;
  flush(): Promise<void>;
}
