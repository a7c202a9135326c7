import { z } from "zod";
import { augmentSchema } from "./augment/augmenter";
import { BACKEND_NAMES } from "./backend";
import { datasetSpecSchema } from "./data/dataset-spec";
import { evalSuiteSchema } from "./eval/suite";
import { healthSchema } from "./health";
import { methodSchema } from "./methods/create-method";
import { encoderSchema } from "./models/encoder";
import { curriculumSchema } from "./train/curriculum";
import { scheduleSchema } from "./train/lr-schedule";
import { optimizerSchema } from "./train/optimizer";

/**
 * An evaluation suite (workers/engine/eval/suite.ts) that a pretraining run requests: queued as an
 * evaluate job of the final encoder when the run finishes, and of an encoder snapshot at the end of
 * each epoch in `atEpochs` (quality against pretraining epochs). `dataset` defaults to the run's.
 */
export const evaluationRequestSchema = evalSuiteSchema.extend({
  dataset: datasetSpecSchema.optional(),
  atEpochs: z.array(z.number().int().min(1)).default([]),
});
export type EvaluationRequest = z.infer<typeof evaluationRequestSchema>;

/**
 * A pretraining run. `batchSize` is the micro-batch; one optimizer step sees
 * batchSize × accumulationSteps samples. The run lasts `epochs` passes over the unlabeled pool,
 * or `maxSteps` optimizer steps if that is smaller.
 */
export const pretrainConfigSchema = z
  .object({
    name: z.string().min(1).default("pretrain"),
    dataset: datasetSpecSchema,
    data: z
      .object({
        /** Use at most this many pool samples (a seeded subset) — for short runs. */
        limit: z.number().int().positive().optional(),
        /** Held-out fraction for datasets without their own test part. */
        testFraction: z.number().min(0).lt(1).default(0.2),
      })
      .strict()
      .prefault({}),
    encoder: encoderSchema,
    method: methodSchema,
    augment: augmentSchema.prefault({}),
    optimizer: optimizerSchema,
    schedule: scheduleSchema.prefault({}),
    batchSize: z.number().int().min(2, "batchSize must be ≥ 2 (contrastive losses need negatives)").default(256),
    accumulationSteps: z.number().int().min(1).default(1),
    /**
     * Data parallelism: the encoder's passes are split across this many worker threads, each with
     * its own backend (backend/data-parallel/sharded-encoder.ts). Worth it on a multi-core CPU with
     * the wasm or cpu backend; 1 runs everything on the training thread.
     */
    encoderWorkers: z.number().int().min(1).max(64).default(1),
    epochs: z.number().int().min(1).default(10),
    maxSteps: z.number().int().min(1).optional(),
    gradClipNorm: z.number().positive().optional(),
    curriculum: curriculumSchema.prefault({}),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    checkpoint: z
      .object({
        everySteps: z.number().int().min(1).default(500),
        /** Also write checkpoints to this local folder (besides the tracker's artifacts). */
        dir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    precision: z
      .enum(["float32", "float16"])
      .default("float32")
      .refine((p) => p === "float32", {
        message:
          "precision float16 is not supported: TensorFlow.js has no float16 kernels on any backend (cpu, wasm, tfjs-node); use float32",
      }),
    backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
    health: healthSchema.prefault({}),
    logEverySteps: z.number().int().min(1).default(1),
    evaluation: evaluationRequestSchema.optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [i, epoch] of (cfg.evaluation?.atEpochs ?? []).entries()) {
      if (epoch >= cfg.epochs) ctx.addIssue({ code: "custom", path: ["evaluation", "atEpochs", i], message: `must be < epochs (${cfg.epochs}); the final encoder is always evaluated` });
    }
  });

export type PretrainConfig = z.infer<typeof pretrainConfigSchema>;
export type PretrainConfigInput = z.input<typeof pretrainConfigSchema>;

/** Parses a config; a bad one throws an Error listing each offending field path and why. */
export function parsePretrainConfig(input: unknown): PretrainConfig {
  const result = pretrainConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid pretraining config:\n${lines.join("\n")}`, result.error);
  }
  return result.data;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly zodError: z.ZodError,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}
