/**
 * What the run of an evaluate or audit job carries in its config, validated before any work: a bad
 * config fails the run at once (a ConfigError is never retried) with each offending field named.
 */
import { z } from "zod";
import type { Database } from "@/server/db";
import { readArtifactBytes } from "@/server/services/artifacts";
import { getDatasetByName } from "@/server/services/datasets";
import { encoderWeightsArtifact } from "@/server/services/encoders";
import { auditOptionsSchema } from "@/workers/engine/audit/run-audit";
import { ConfigError } from "@/workers/engine/config";
import { datasetSpecSchema, type DatasetSpec } from "@/workers/engine/data/dataset-spec";
import type { EncoderRef } from "@/workers/engine/eval/run-suite";
import { evalSuiteSchema } from "@/workers/engine/eval/suite";
import { ENCODER_ARTIFACT } from "@/workers/engine/train/pretrain";

/** The encoder to use: a registered one by id, or an encoder file among a run's artifacts (a checkpoint's snapshot). */
export const encoderSourceSchema = z.union([
  z.object({ id: z.number().int().positive() }).strict(),
  z.object({ runId: z.number().int().positive(), artifact: z.string().min(1).default(ENCODER_ARTIFACT) }).strict(),
]);
export type EncoderSource = z.infer<typeof encoderSourceSchema>;

export const evaluateJobSchema = z
  .object({
    /** The run's name (launchRun reads it). */
    name: z.string().min(1).optional(),
    encoder: encoderSourceSchema,
    suite: evalSuiteSchema,
  })
  .strict();
export type EvaluateJobConfig = z.input<typeof evaluateJobSchema>;

/** The audit options (workers/engine/audit/run-audit.ts) plus, optionally, an encoder to compare samples by. */
export const auditJobSchema = auditOptionsSchema.extend({ name: z.string().min(1).optional(), encoder: encoderSourceSchema.optional() }).strict();
export type AuditJobConfig = z.input<typeof auditJobSchema>;

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

/** The encoder's bytes, and how evaluation results should refer to it. */
export async function loadEncoderSource(database: Database, source: EncoderSource): Promise<{ bytes: Uint8Array; ref: EncoderRef }> {
  if ("id" in source) {
    const { encoder, runId, artifactName } = await encoderWeightsArtifact(database, source.id);
    return { bytes: await readArtifactBytes(database, runId, artifactName), ref: { id: encoder.id, name: encoder.name, version: encoder.version } };
  }
  return { bytes: await readArtifactBytes(database, source.runId, source.artifact), ref: { sourceRunId: source.runId, artifactName: source.artifact } };
}
