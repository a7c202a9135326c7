/**
 * What the run of an evaluate or audit job carries in its config (schemas: server/jobs/configs/jobs.ts,
 * checked at launch and again here, before any work: a ConfigError is never retried), and loading
 * what such a config names.
 */
import type { z } from "zod";
import type { EncoderSource } from "@/server/jobs/configs/jobs";
import type { Database } from "@/server/db";
import { readArtifactBytes } from "@/server/services/artifacts";
import { getDatasetByName } from "@/server/services/datasets";
import { encoderWeightsArtifact } from "@/server/registry/encoders";
import { ConfigError } from "@/workers/engine/config";
import { datasetSpecSchema, type DatasetSpec } from "@/workers/engine/data/dataset-spec";
import type { EvaluatedEncoder } from "@/workers/engine/eval/onnx-encoder";
import type { EncoderRef } from "@/workers/engine/eval/run-suite";

export { auditJobSchema, encoderSourceSchema, evaluateJobSchema, type AuditJobConfig, type EncoderSource, type EvaluateJobConfig } from "@/server/jobs/configs/jobs";

export function parseJobConfig<S extends z.ZodType>(schema: S, config: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(config);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid ${what} config:\n${lines.join("\n")}`, result.error);
  }
  return result.data;
}

/** The spec a registered dataset was loaded from (its `source`, as the engine registers it). */
export async function registeredDatasetSpec(database: Database, name: string): Promise<DatasetSpec> {
  const row = await getDatasetByName(database, name);
  let source: unknown;
  try {
    source = JSON.parse(row.source);
  } catch {
    source = undefined;
  }
  const parsed = datasetSpecSchema.safeParse(source);
  if (!parsed.success) throw new Error(`dataset ${name} was registered from "${row.source}", which is not a dataset spec Pretext can load`);
  return parsed.data;
}

/**
 * The encoder to evaluate (a Pretext encoder file's bytes, or a registered ONNX encoder's model and
 * spec), and how evaluation results should refer to it.
 */
export async function loadEncoderSource(database: Database, source: EncoderSource): Promise<{ encoder: EvaluatedEncoder; ref: EncoderRef }> {
  if ("id" in source) {
    const { encoder, runId, artifactName } = await encoderWeightsArtifact(database, source.id);
    const bytes = await readArtifactBytes(database, runId, artifactName);
    const ref = { id: encoder.id, name: encoder.name, version: encoder.version };
    return { encoder: encoder.format === "onnx" ? { onnx: bytes, spec: encoder.modelSpec! } : bytes, ref };
  }
  return { encoder: await readArtifactBytes(database, source.runId, source.artifact), ref: { sourceRunId: source.runId, artifactName: source.artifact } };
}
