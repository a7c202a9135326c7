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

/**
 * An augmentation policy for the networks that train on labeled images, each augmentation at its
 * weight (a random resized crop of weight w keeps 1 − 0.92·w to 100 % of the area; a flip of weight w
 * mirrors with probability w/2). The suite's policies are candidates; validation chooses.
 */
const policySchema = z
  .object({
    name: z.string().min(1).max(100).describe("Name shown with the results, e.g. crop+flip"),
    augment: augmentSchema.describe("Augmentations and their weights"),
  })
  .strict();
export type AugmentPolicy = z.infer<typeof policySchema>;

const none = { crop: 0, flip: 0, colorJitter: 0, noise: 0, cutout: 0, featureCorruption: 0 };
/** Crops keep 70–100 % of the area; flips are a candidate, never a given: a mirror image is not always the same class. */
export const DEFAULT_POLICIES: AugmentPolicy[] = [
  { name: "crop", augment: { ...none, crop: 0.33 } },
  { name: "crop+flip", augment: { ...none, crop: 0.33, flip: 1 } },
];

/**
 * How the networks trained on labeled images (fine-tuning and the supervised baseline, the same
 * procedure for both) choose their augmentation policy, learning rate, weight decay and length:
 * every combination is trained on each fold of a stratified cross-validation of the labeled subset
 * (on the validation split when it is larger than cvMaxRows), scored on the held-out fold every
 * evalEvery steps; the best mean over folds wins, and the network is trained again on all labeled
 * rows for the chosen number of steps.
 */
const selectionSchema = z
  .object({
    policies: z.array(policySchema).min(1).default(DEFAULT_POLICIES).describe("Candidate augmentation policies"),
    weightDecays: z.array(z.number().min(0)).min(1).default([5e-4, 5e-2]).describe("Candidate (decoupled) weight decays"),
    cvFolds: z.number().int().min(2).default(3).describe("Folds of the cross-validation"),
    cvMaxRows: z.number().int().min(0).default(3000).describe("Cross-validate on labeled subsets of at most this many rows (larger ones use the validation split)"),
  })
  .strict();

/** A network on labeled images whose recipe is chosen (see `selection`): its learning rates and length. */
const recipeNetworkSchema = z
  .object({
    lrs: z.array(z.number().positive()).min(1).default([1e-3]).describe("Learning rates tried (of the head; the encoder's is scaled by encoderLrScale)"),
    batchSize: z.number().int().min(1).default(64).describe("Batch size"),
    epochs: z.number().positive().default(200).describe("Passes over the labeled set (bounded by maxSteps)"),
    maxSteps: z.number().int().min(1).default(800).describe("Steps of the cosine schedule"),
    evalEvery: z.number().int().min(1).default(100).describe("Score the held-out fold every N steps: the lengths a recipe may choose"),
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
    finetune: recipeNetworkSchema
      .extend({ encoderLrScale: z.number().positive().max(1).default(0.1).describe("The encoder's learning rate as a fraction of the head's") })
      .prefault({})
      .describe("Fine-tuning the whole encoder with a head (recipe chosen as `selection` says)"),
    fixmatch: z
      .object({
        encoderLrScale: z.number().positive().max(1).default(0.1).describe("The encoder's learning rate as a fraction of the head's"),
        batchSize: z.number().int().min(1).default(64).describe("Labeled samples per step"),
        epochs: z.number().positive().default(200).describe("Passes over the labeled set (bounded by maxSteps)"),
        maxSteps: z.number().int().min(1).default(800).describe("Steps (the whole schedule runs; weak view, learning rate and weight decay are fine-tuning's choice)"),
        unlabeledBatchSize: z.number().int().min(1).default(128).describe("Unlabeled samples per step"),
        threshold: z.number().gt(0).max(1).default(0.95).describe("Confidence a weak view's prediction needs to become a pseudo-label"),
        unlabeledWeight: z.number().min(0).default(1).describe("Weight of the pseudo-label loss"),
        strongAugment: augmentSchema.prefault({ crop: 1, flip: 1, colorJitter: 0.8, noise: 0.3, cutout: 0.5 }).describe("The strong view's augmentations (flips only where fine-tuning's chosen policy flips)"),
        strongStrength: z.number().min(0).max(1).default(1).describe("Strength of the strong view"),
      })
      .strict()
      .prefault({})
      .describe("FixMatch from the fine-tuned network: pseudo-labels of weak views train on strong views"),
    supervised: recipeNetworkSchema
      .prefault({ lrs: [2e-3] })
      .describe("Baseline: the same network trained from scratch on the labels (policy, learning rate, weight decay and length chosen as `selection` says)"),
    selection: selectionSchema.prefault({}).describe("How fine-tuning and the supervised baseline choose their recipe on the labeled subset"),
    embedBatchSize: z.number().int().min(1).default(1024).describe("Batch size when embedding with the frozen encoder"),
    backend: backendChoice,
  })
  .strict();

export type EvalSuite = z.infer<typeof evalSuiteSchema>;
export type EvalSuiteInput = z.input<typeof evalSuiteSchema>;
export type LinearOptions = z.infer<typeof linearSchema>;
