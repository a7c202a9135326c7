/**
 * The config of each kind of run job, by kind (see server/jobs/configs/common.ts for why they live
 * here): a pretraining config for pretrain and sweep-trial jobs; evaluate and audit configs as the
 * worker reads them (workers/worker/job-configs.ts). launchRun refuses a config its kind's schema
 * rejects, so a bad field is named at once and nothing is queued.
 */
import { z } from "zod";
import { idOf, name as runName } from "../../names";
import { backendChoice, datasetSpecSchema } from "./common";
import { evalSuiteSchema } from "./eval-suite";
import { pretrainConfigSchema } from "./pretrain";

/** Job kinds that execute a run (the other kind, "scheduled", runs housekeeping). */
export const RUN_JOB_KINDS = ["pretrain", "evaluate", "audit", "sweep-trial"] as const;
export type RunJobKind = (typeof RUN_JOB_KINDS)[number];

/** The artifact a pretraining run stores its final encoder under. */
export const ENCODER_ARTIFACT = "encoder.ptx";

/** The encoder to use: a registered one by id, or an encoder file among a run's artifacts (a checkpoint's snapshot). */
export const encoderSourceSchema = z
  .union([
    z.object({ id: idOf("an encoder") }).strict(),
    z.object({ runId: idOf("a run"), artifact: z.string().min(1).default(ENCODER_ARTIFACT) }).strict(),
  ])
  .describe(`A registered encoder, {"id": 3}, or an encoder file among a run's artifacts, {"runId": 7, "artifact": "${ENCODER_ARTIFACT}"}`);
export type EncoderSource = z.infer<typeof encoderSourceSchema>;

export const evaluateJobSchema = z
  .object({
    name: runName.optional().describe("The run's name"),
    encoder: encoderSourceSchema,
    suite: evalSuiteSchema.describe("What to measure: protocols and baselines at label fractions, over seeds"),
  })
  .strict();
export type EvaluateJobConfig = z.input<typeof evaluateJobSchema>;

/** What a dataset audit (workers/engine/audit/run-audit.ts) looks at. */
export const auditOptionsSchema = z
  .object({
    dataset: datasetSpecSchema.describe("The dataset to audit"),
    target: datasetSpecSchema.optional().describe("Target set for the domain gap; default: the dataset's own test part"),
    nearThreshold: z.number().gt(0).max(1).default(0.98).describe("Cosine similarity at or above which two different samples are near duplicates"),
    maxNearSamples: z.number().int().min(2).default(10_000).describe("Near-duplicate search looks at most at this many samples per part (seeded subset): its cost is quadratic"),
    domainSamples: z.number().int().min(4).default(1000).describe("Samples per side for MMD and the domain classifier"),
    examples: z.number().int().min(0).default(10).describe("How many example pairs or groups each finding lists"),
    seed: z.number().int().min(0).default(0).describe("Seeds the subsets"),
    backend: backendChoice,
  })
  .strict();
export type AuditOptions = z.infer<typeof auditOptionsSchema>;
export type AuditOptionsInput = z.input<typeof auditOptionsSchema>;

/** The audit options plus, optionally, an encoder to compare samples by (raw inputs without one). */
export const auditJobSchema = auditOptionsSchema
  .extend({
    name: runName.optional().describe("The run's name"),
    encoder: encoderSourceSchema.optional().describe("Compare samples by this encoder's embeddings; default: raw inputs"),
  })
  .strict();
export type AuditJobConfig = z.input<typeof auditJobSchema>;

/** The schema a run job's config must pass, by job kind. */
export const jobConfigSchemas = {
  pretrain: pretrainConfigSchema,
  "sweep-trial": pretrainConfigSchema,
  evaluate: evaluateJobSchema,
  audit: auditJobSchema,
} satisfies Record<RunJobKind, z.ZodType>;

