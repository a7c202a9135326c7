/**
 * An evaluation suite: which protocols and baselines, at which label fractions, with which seeds
 * (see server/jobs/configs/common.ts for why it lives here; workers/engine/eval runs it). Every
 * (protocol, fraction, seed) is one benchmark result; results are summarised as mean ± std over
 * seeds. Field errors name the field (e.g. `fractions.1: must be <= 1`).
 */
import { z } from "zod";
import { augmentSchema, backendChoice, datasetSpecSchema } from "./common";

/** Protocols that evaluate the encoder under test. */
export const PROTOCOLS = ["linear_probe", "knn", "adapter", "finetune", "fixmatch"] as const;
/** Reference methods run beside them on the same labeled subsets (no encoder). */
export const BASELINES = ["supervised", "raw_linear"] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type Baseline = (typeof BASELINES)[number];

/** Multinomial logistic regression on standardized features; λ picked on the validation split. */
const linearSchema = z
  .object({
    l2Grid: z.array(z.number().min(0)).min(1).default([1e-4, 1e-3, 1e-2, 3e-2, 1e-1]).describe("L2 penalties λ tried; the best by cross-validation wins"),
    lr: z.number().positive().default(0.01).describe("Learning rate"),
    batchSize: z.number().int().min(1).default(1024).describe("Batch size"),
    epochs: z.number().positive().default(30).describe("Passes over the labeled set (bounded by minSteps and maxSteps)"),
    minSteps: z.number().int().min(1).default(300).describe("At least this many steps"),
    maxSteps: z.number().int().min(1).default(1500).describe("At most this many steps"),
    cvFolds: z.number().int().min(2).default(5).describe("Folds of the cross-validation that chooses λ"),
    cvMaxRows: z.number().int().min(0).default(10_000).describe("Cross-validate on labeled sets of at most this many rows (larger ones use the validation split)"),
  })
  .strict();

/** A network trained by gradient steps with early stopping on the validation split. */
const networkSchema = z
  .object({
    lrs: z.array(z.number().positive()).min(1).default([1e-3]).describe("Learning rates tried (of the head; the encoder's is scaled by encoderLrScale); the best on validation wins"),
    weightDecay: z.number().min(0).default(1e-4).describe("Weight decay"),
    batchSize: z.number().int().min(1).default(128).describe("Batch size"),
    epochs: z.number().positive().default(200).describe("Passes over the labeled set (bounded by maxSteps)"),
    maxSteps: z.number().int().min(1).default(3000).describe("At most this many steps"),
    evalEvery: z.number().int().min(1).default(50).describe("Check validation accuracy every N steps"),
    patience: z.number().int().min(1).default(6).describe("Checks without a better validation accuracy before stopping (keep: best)"),
    keep: z
      .enum(["best", "last"])
      .default("best")
      .describe("best: early stopping, the best validation check's weights are kept; last: the whole schedule runs (steadier when validation is a few dozen samples)"),
  })
  .strict();

export const evalSuiteSchema = z
  .object({
    benchmark: z.string().min(1).max(200).optional().describe("Benchmark name stored with each result; default label-efficiency/<dataset name>"),
    encoderName: z.string().min(1).max(200).optional().describe("Name the encoder is registered under; default <method>-<dataset>"),
    dataset: datasetSpecSchema.describe("The labeled dataset to evaluate on"),
    protocols: z.array(z.enum(PROTOCOLS)).default([...PROTOCOLS]).describe("Protocols run on the frozen (or fine-tuned) encoder"),
    baselines: z.array(z.enum(BASELINES)).default([...BASELINES]).describe("Baselines without the encoder, on the same labels"),
    fractions: z
      .array(z.number().gt(0, "must be > 0").max(1, "must be <= 1"))
      .min(1)
      .default([0.01, 0.1, 1])
      .describe("Labeled fractions of the training set (0.01 = 1 % of the labels)"),
    seeds: z.array(z.number().int().min(0)).min(1).default([0, 1, 2]).describe("One result per seed; results are mean ± std over seeds"),
    validationFraction: z.number().gt(0).lt(1).default(0.1).describe("Share of each labeled subset held out (stratified) to choose λ, learning rate and stopping step"),
    trainLimit: z.number().int().positive().optional().describe("Use at most this many training samples (seeded, stratified): for quick runs"),
    testLimit: z.number().int().positive().optional().describe("Use at most this many test samples (seeded, stratified): for quick runs"),
    linearProbe: linearSchema.prefault({}).describe("Linear probe: logistic regression on frozen embeddings"),
    knn: z
      .object({
        k: z.array(z.number().int().min(1)).min(1).default([20, 200]).describe("Neighbour counts; one result each"),
        temperature: z.number().positive().default(0.07).describe("Vote weight exp(cos/τ) (Wu et al. 2018; τ = 0.07 as in InstDisc)"),
      })
      .strict()
      .prefault({})
      .describe("k-nearest neighbours on frozen embeddings (cosine)"),
    adapter: networkSchema
      .extend({ bottleneck: z.number().int().min(1).default(64).describe("Adapter bottleneck width") })
      .prefault({ lrs: [1e-3, 3e-3] })
      .describe("A small adapter and head trained on the frozen encoder"),
    finetune: networkSchema
      .extend({ encoderLrScale: z.number().positive().max(1).default(0.1).describe("The encoder's learning rate as a fraction of the head's") })
      .prefault({})
      .describe("Fine-tuning the whole encoder with a head"),
    fixmatch: networkSchema
      .extend({
        encoderLrScale: z.number().positive().max(1).default(0.1).describe("The encoder's learning rate as a fraction of the head's"),
        batchSize: z.number().int().min(1).default(64).describe("Labeled samples per step"),
        maxSteps: z.number().int().min(1).default(800).describe("At most this many steps"),
        keep: z.enum(["best", "last"]).default("last").describe("last: the whole schedule is kept (a few dozen validation images cannot pick a better checkpoint)"),
        unlabeledBatchSize: z.number().int().min(1).default(128).describe("Unlabeled samples per step"),
        threshold: z.number().gt(0).max(1).default(0.95).describe("Confidence a weak view's prediction needs to become a pseudo-label"),
        unlabeledWeight: z.number().min(0).default(1).describe("Weight of the pseudo-label loss"),
        strongAugment: augmentSchema.prefault({ crop: 1, flip: 1, colorJitter: 0.8, noise: 0.3, cutout: 0.5 }).describe("The strong view's augmentations"),
        strongStrength: z.number().min(0).max(1).default(1).describe("Strength of the strong view"),
      })
      .prefault({})
      .describe("FixMatch from the fine-tuned network: pseudo-labels of weak views train on strong views"),
    supervised: networkSchema.prefault({ lrs: [1e-3, 3e-3] }).describe("Baseline: the same network trained from scratch on the labels"),
    augment: augmentSchema
      .prefault({ crop: 1, flip: 1, colorJitter: 0.5, noise: 0.2, cutout: 0 })
      .describe("Augmentations of fine-tuning and of the supervised baseline (the same for both), at augmentStrength"),
    augmentStrength: z.number().min(0).max(1).default(0.4).describe("Strength of those augmentations"),
    embedBatchSize: z.number().int().min(1).default(1024).describe("Batch size when embedding with the frozen encoder"),
    backend: backendChoice,
  })
  .strict();

export type EvalSuite = z.infer<typeof evalSuiteSchema>;
export type EvalSuiteInput = z.input<typeof evalSuiteSchema>;
export type NetworkOptions = z.infer<typeof networkSchema>;
export type LinearOptions = z.infer<typeof linearSchema>;
