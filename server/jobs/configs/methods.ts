/**
 * The pretext tasks' settings (see server/jobs/configs/common.ts for why they live here); the tasks
 * themselves are workers/engine/methods/*.ts, whose doc comments cite the papers.
 */
import { z } from "zod";

/** τ below 0.01 makes exp(sim/τ) overflow float32 for cosine similarities near 1. */
export const temperatureSchema = z
  .number()
  .min(0.01, "temperature must be ≥ 0.01 (exp(1/τ) overflows float32 for smaller τ)")
  .max(10, "temperature must be ≤ 10 (larger τ flattens all similarities)");

/** MLP on top of the encoder (SimCLR's g(·), BYOL's projector and predictor). */
export const headSchema = z
  .object({
    hidden: z.array(z.number().int().positive()).default([128]).describe("Hidden layer sizes"),
    outDim: z.number().int().positive().default(64).describe("Output size: the space the loss compares in"),
    batchNorm: z.boolean().default(true).describe("Batch normalization after each hidden layer"),
  })
  .strict();

export type HeadConfig = z.infer<typeof headSchema>;

export const simclrSchema = z
  .object({
    name: z.literal("simclr"),
    temperature: temperatureSchema.default(0.5).describe("NT-Xent temperature τ, 0.01–10 (the paper: 0.5 at small batch sizes)"),
    head: headSchema.default({ hidden: [128], outDim: 64, batchNorm: true }).describe("Projection head g(·); the loss compares its outputs"),
  })
  .strict()
  .describe("SimCLR (Chen et al. 2020): two augmented views of each sample are pulled together, the rest of the batch pushed away (NT-Xent)");

export const mocoSchema = z
  .object({
    name: z.literal("moco"),
    temperature: temperatureSchema.default(0.2).describe("InfoNCE temperature τ (the paper: 0.2)"),
    queueSize: z.number().int().min(1, "queueSize must be ≥ 1").default(4096).describe("Negatives: a FIFO queue of past keys (the paper: 65,536; keep it within what a few batches refresh)"),
    momentum: z
      .number()
      .min(0)
      .lt(1, "momentum must be < 1 (1 would freeze the key encoder)")
      .default(0.99)
      .describe("EMA momentum of the key encoder, in [0, 1) (the paper: 0.999)"),
    head: headSchema.default({ hidden: [128], outDim: 64, batchNorm: false }).describe("Projection head of the query and key encoders"),
  })
  .strict()
  .describe("MoCo v2 (Chen et al. 2020): a query matches its key from a momentum encoder against a queue of past keys");

export const byolSchema = z
  .object({
    name: z.literal("byol"),
    momentumBase: z
      .number()
      .min(0)
      .lt(1, "momentumBase must be < 1 (1 would freeze the target)")
      .default(0.99)
      .describe("Target EMA momentum at step 0, rising to 1 on a cosine schedule (the paper: 0.996)"),
    projector: headSchema.default({ hidden: [256], outDim: 64, batchNorm: true }).describe("Projector of the online and target networks"),
    predictor: headSchema.default({ hidden: [256], outDim: 64, batchNorm: true }).describe("Predictor of the online network; outDim must equal the projector's"),
  })
  .strict()
  .refine((c) => c.predictor.outDim === c.projector.outDim, {
    message: "predictor.outDim must equal projector.outDim (the predictor maps projections to projections)",
    path: ["predictor", "outDim"],
  })
  .describe("BYOL (Grill et al. 2020): the online network predicts an EMA target's projection of the other view; no negatives");

export const maskedModelingSchema = z
  .object({
    name: z.literal("masked"),
    maskRatio: z
      .number()
      .gt(0, "maskRatio must be > 0")
      .lt(1, "maskRatio must be < 1 (something must stay visible)")
      .default(0.75)
      .describe("Share of patches zeroed (the paper: 0.75); × the difficulty under a curriculum"),
    patchSize: z.number().int().min(1).default(7).describe("Patch side in pixels; must divide the image size (tabular rows are masked per feature)"),
    decoderHidden: z.array(z.number().int().positive()).default([256]).describe("Hidden sizes of the MLP decoder that reconstructs the sample"),
  })
  .strict()
  .describe("Masked modeling, MAE-style (He et al. 2022): reconstruct zeroed patches from the embedding of the rest");

export const scarfSchema = z
  .object({
    name: z.literal("scarf"),
    temperature: temperatureSchema.default(1).describe("NT-Xent temperature τ (the paper: 1.0)"),
    head: headSchema.default({ hidden: [128], outDim: 64, batchNorm: false }).describe("Projection head"),
  })
  .strict()
  .describe("SCARF (Bahri et al. 2022), tabular rows: a row against a copy with features corrupted (rate: augment.featureCorruption)");

/** Any one pretext task, chosen by `name`. */
export const singleMethodSchema = z.discriminatedUnion("name", [simclrSchema, mocoSchema, byolSchema, maskedModelingSchema, scarfSchema]);

export const multiTaskSchema = z
  .object({
    name: z.literal("multitask"),
    tasks: z
      .array(z.object({ weight: z.number().positive("task weight must be > 0"), method: singleMethodSchema }).strict())
      .min(2, "a multi-task objective needs at least two tasks")
      .describe('At least two tasks, e.g. [{"weight": 1, "method": {"name": "simclr"}}, {"weight": 0.5, "method": {"name": "masked"}}]'),
  })
  .strict()
  .describe("Several pretext tasks on one shared encoder, minimizing Σ weight × task loss");

/** A pretext task or a weighted combination of several, chosen by `name`. */
export const methodSchema = z
  .discriminatedUnion("name", [simclrSchema, mocoSchema, byolSchema, maskedModelingSchema, scarfSchema, multiTaskSchema])
  .describe("The pretext task: the self-supervised objective the encoder learns from");

export type SimclrConfig = z.input<typeof simclrSchema>;
export type MocoConfig = z.input<typeof mocoSchema>;
export type ByolConfig = z.input<typeof byolSchema>;
export type MaskedModelingConfig = z.input<typeof maskedModelingSchema>;
export type ScarfConfig = z.input<typeof scarfSchema>;
export type SingleMethodConfig = z.input<typeof singleMethodSchema>;
export type MultiTaskConfig = z.input<typeof multiTaskSchema>;
export type MethodConfig = z.input<typeof methodSchema>;
