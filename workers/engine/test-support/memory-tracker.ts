import { createHash } from "node:crypto";
import type { BenchmarkResultInput, DatasetInfo, EncoderInfo, MetricPoint, ParamValue, RunExecution, RunStatus, RunTracker } from "../../../server/tracking/tracker";

/** RunTracker that keeps everything in memory, for engine tests that need no database. */
export class MemoryTracker implements RunTracker {
  readonly runId = "test-run";
  params: Record<string, ParamValue> = {};
  metrics: MetricPoint[] = [];
  tags: Record<string, string> = {};
  statuses: { status: RunStatus; reason?: string }[] = [];
  artifacts = new Map<string, { kind: string; data: Uint8Array }>();

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    Object.assign(this.params, params);
  }
  logMetrics(points: MetricPoint[]): void {
    this.metrics.push(...points);
  }
  async setTags(tags: Record<string, string>): Promise<void> {
    Object.assign(this.tags, tags);
  }
  async setStatus(status: RunStatus, reason?: string): Promise<void> {
    this.statuses.push({ status, reason });
  }
  datasets: DatasetInfo[] = [];
  async registerDataset(info: DatasetInfo): Promise<void> {
    this.datasets.push(info);
  }
  execution: RunExecution = {};
  async setExecution(fields: RunExecution): Promise<void> {
    Object.assign(this.execution, fields);
  }
  async uploadArtifact(name: string, kind: string, data: Uint8Array, options: { overwrite?: boolean } = {}) {
    if (this.artifacts.has(name) && !options.overwrite) throw new Error(`artifact ${name} exists; pass overwrite to replace it`);
    this.artifacts.set(name, { kind, data });
    return { sha256: createHash("sha256").update(data).digest("hex"), bytes: data.length };
  }
  async downloadArtifact(name: string): Promise<Uint8Array> {
    const a = this.artifacts.get(name);
    if (!a) throw new Error(`no artifact ${name}`);
    return a.data;
  }
  async flush(): Promise<void> {}
  encoders: (EncoderInfo & { id: number; version: number })[] = [];
  async registerEncoder(info: EncoderInfo) {
    const version = this.encoders.filter((e) => e.name === info.name).length + 1;
    const row = { ...info, id: this.encoders.length + 1, version };
    this.encoders.push(row);
    return { id: row.id, name: row.name, version };
  }
  benchmarkResults: BenchmarkResultInput[] = [];
  async logBenchmarkResults(results: BenchmarkResultInput[]): Promise<void> {
    this.benchmarkResults.push(...results);
  }

  series(key: string): number[] {
    return this.metrics.filter((m) => m.key === key).map((m) => m.value);
  }
}
