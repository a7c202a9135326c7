/**
 * A RunTracker that writes straight to the database: used when the worker runs in the same
 * process as the database (embedded mode, `pretext train`). Same batching rules as the HTTP client.
 */
import type { Database } from "@/server/db";
import { writeBatch } from "@/server/services/metrics";
import { setRunStatus, updateRun, setRunTags } from "@/server/services/runs";
import { readArtifactBytes, uploadArtifact } from "@/server/services/artifacts";
import { MetricBuffer } from "./metric-buffer";
import { registerDataset } from "@/server/services/datasets";
import { recordBenchmarkResults } from "@/server/services/benchmarks";
import { registerEncoder } from "@/server/registry/encoders";
import type { BenchmarkResultInput, DatasetInfo, EncoderInfo, MetricPoint, ParamValue, RunExecution, RunStatus, RunTracker } from "./tracker";

export class LocalRunTracker implements RunTracker {
  readonly runId: string;
  private readonly buffer: MetricBuffer;

  constructor(
    private readonly database: Database,
    private readonly id: number,
  ) {
    this.runId = String(id);
    this.buffer = new MetricBuffer((batch) => writeBatch(database, id, {}, batch));
  }

  async logParams(params: Record<string, ParamValue>) {
    await writeBatch(this.database, this.id, params, []);
  }

  logMetrics(points: MetricPoint[]) {
    this.buffer.push(points);
  }

  flush() {
    return this.buffer.flush();
  }

  async setTags(tags: Record<string, string>) {
    await setRunTags(this.database, this.id, tags);
  }

  async setStatus(status: RunStatus, reason?: string) {
    await this.flush();
    await setRunStatus(this.database, this.id, status, reason);
  }

  async registerDataset(info: DatasetInfo) {
    await registerDataset(this.database, info);
  }

  async setExecution(fields: RunExecution) {
    await updateRun(this.database, this.id, fields);
  }

  async uploadArtifact(name: string, kind: string, data: Uint8Array, options: { overwrite?: boolean } = {}) {
    const row = await uploadArtifact(this.database, this.id, name, kind, data, { overwrite: options.overwrite });
    return { sha256: row.sha256, bytes: row.bytes };
  }

  downloadArtifact(name: string) {
    return readArtifactBytes(this.database, this.id, name);
  }

  async registerEncoder(info: EncoderInfo) {
    const row = await registerEncoder(this.database, { ...info, runId: info.runId ?? this.id });
    return { id: row.id, name: row.name, version: row.version };
  }

  async logBenchmarkResults(results: BenchmarkResultInput[]) {
    await recordBenchmarkResults(this.database, this.id, results);
  }
}
