/**
 * What a training or evaluation job needs from the tracking core. Workers and the ML engine
 * depend on this interface only; `server/client` (HTTP) and `server/tracking/local-tracker`
 * (direct database access, embedded mode) implement it.
 */
import type { BenchmarkResultInput } from "@/server/services/benchmarks";
import type { DatasetInfo } from "@/server/services/datasets";
import type { EncoderRegistration } from "@/server/registry/encoders";

export type { BenchmarkResultInput, DatasetInfo };
/** An encoder to register; `runId` (its lineage) defaults to the tracker's run. */
export type EncoderInfo = Omit<EncoderRegistration, "runId"> & { runId?: number };
export interface RegisteredEncoder {
  id: number;
  name: string;
  version: number;
}
export type ParamValue = string | number | boolean | null;

export interface MetricPoint {
  key: string;
  step: number;
  value: number; // NaN and ±Infinity are allowed and kept
  /** ms since epoch; defaults to now */
  wallTime?: number;
}

export type RunStatus = "queued" | "running" | "finished" | "failed" | "cancelled";

/** What executes a run, as recorded on it. */
export interface RunExecution {
  backend?: string;
  device?: string;
  worker?: string;
}

export interface RunTracker {
  readonly runId: string;
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** Buffered; sent in batches. Call flush() to wait for delivery. */
  logMetrics(points: MetricPoint[]): void;
  /** Merge tags (e.g. {backend: "wasm"}, {warning: "collapse"}) into the run. */
  setTags(tags: Record<string, string>): Promise<void>;
  setStatus(status: RunStatus, reason?: string): Promise<void>;
  /** Registers the dataset the run reads (once per name; the checksum must match). */
  registerDataset(info: DatasetInfo): Promise<void>;
  /** Records what executes the run: the TensorFlow.js backend, its device and, under a worker, its name. */
  setExecution(fields: RunExecution): Promise<void>;
  /** A second upload under the same name is refused (409) unless `overwrite` (checkpoints, a retried attempt's outputs). */
  uploadArtifact(name: string, kind: string, data: Uint8Array, options?: { overwrite?: boolean }): Promise<{ sha256: string; bytes: number }>;
  downloadArtifact(name: string): Promise<Uint8Array>;
  flush(): Promise<void>;
  /** Registers a new version of an encoder (version = 1 + the latest of that name). */
  registerEncoder(info: EncoderInfo): Promise<RegisteredEncoder>;
  /** Stores benchmark results measured by this run (baselines have encoderId null). */
  logBenchmarkResults(results: BenchmarkResultInput[]): Promise<void>;
}
