import { z } from "zod";
import { augmentSchema } from "../augment/augmenter";
import { BACKEND_NAMES } from "../backend";
import { datasetSpecSchema } from "../data/dataset-spec";

/** Protocols that evaluate the encoder under test. */
export const PROTOCOLS = ["linear_probe", "knn", "adapter", "finetune", "fixmatch"] as const;
/** Reference methods run beside them on the same labeled subsets (no encoder). */
export const BASELINES = ["supervised", "raw_linear"] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type Baseline = (typeof BASELINES)[number];

/** The one metric every protocol reports: top-1 accuracy on the dataset's held-out test part. */
export const TEST_ACCURACY = "test_accuracy";

/** Multinomial logistic regression on standardized features; λ picked on the validation split. */
const linearSchema = z
  .object({
    l2Grid: z.array(z.number().min(0)).min(1).default([1e-4, 1e-3, 1e-2, 3e-2, 1e-1]),
    lr: z.number().positive().default(0.01),
    batchSize: z.number().int().min(1).default(1024),
    epochs: z.number().positive().default(30),
    minSteps: z.number().int().min(1).default(300),
    maxSteps: z.number().int().min(1).default(1500),
    /** λ is chosen by k-fold cross-validation on labeled sets of at most cvMaxRows rows (see linear-probe.ts). */
    cvFolds: z.number().int().min(2).default(5),
    cvMaxRows: z.number().int().min(0).default(10_000),
  })
  .strict();

/** A network trained by gradient steps with early stopping on the validation split. */
const networkSchema = z
  .object({
    /** Learning rates tried (of the head; the encoder's is scaled by encoderLrScale); best on validation wins. */
    lrs: z.array(z.number().positive()).min(1).default([1e-3]),
    weightDecay: z.number().min(0).default(1e-4),
    batchSize: z.number().int().min(1).default(128),
    epochs: z.number().positive().default(200),
    maxSteps: z.number().int().min(1).default(3000),
    evalEvery: z.number().int().min(1).default(50),
    /** Evaluations without a better validation accuracy before stopping (with keep "best"). */
    patience: z.number().int().min(1).default(6),
    /**
     * "best": early stopping, the weights of the best validation check are kept. "last": the whole
     * schedule runs and its final weights are kept — steadier when the validation split is a few
     * dozen samples, too few to pick a checkpoint by.
     */
    keep: z.enum(["best", "last"]).default("best"),
  })
  .strict();

/**
 * An evaluation suite: which protocols and baselines, at which label fractions, with which seeds.
 * Every (protocol, fraction, seed) is one benchmark result; results are summarised as mean ± std
 * over seeds. Field errors name the field (e.g. `fractions.1: Too big: expected number to be <=1`).
 */
export const evalSuiteSchema = z
  .object({
    /** Benchmark name stored with each result; default `label-efficiency/<dataset name>`. */
    benchmark: z.string().min(1).max(200).optional(),
    /** Name under which the encoder is registered; default `<method>-<dataset>`. */
    encoderName: z.string().min(1).max(200).optional(),
    dataset: datasetSpecSchema,
    protocols: z.array(z.enum(PROTOCOLS)).default([...PROTOCOLS]),
    baselines: z.array(z.enum(BASELINES)).default([...BASELINES]),
    fractions: z.array(z.number().gt(0, "must be > 0").max(1, "must be <= 1")).min(1).default([0.01, 0.1, 1]),
    seeds: z.array(z.number().int().min(0)).min(1).default([0, 1, 2]),
    /** Share of each labeled subset held out (stratified) to choose λ, learning rate and stopping step. */
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    /** Use at most this many training / test samples (seeded, stratified): for quick runs. */
    trainLimit: z.number().int().positive().optional(),
    testLimit: z.number().int().positive().optional(),
    linearProbe: linearSchema.prefault({}),
    knn: z
      .object({
        k: z.array(z.number().int().min(1)).min(1).default([20, 200]),
        /** Vote weight exp(cos/τ) (Wu et al. 2018); τ = 0.07 as in InstDisc. */
        temperature: z.number().positive().default(0.07),
      })
      .strict()
      .prefault({}),
    adapter: networkSchema.extend({ bottleneck: z.number().int().min(1).default(64) }).prefault({ lrs: [1e-3, 3e-3] }),
    finetune: networkSchema.extend({ encoderLrScale: z.number().positive().max(1).default(0.1) }).prefault({}),
    /**
     * FixMatch from the fine-tuned network (see fixmatch.ts): `batchSize` labeled and
     * `unlabeledBatchSize` unlabeled samples per step, the whole schedule kept ("last"): it starts
     * from fine-tuning's choice, and a few dozen validation images cannot pick a better checkpoint.
     */
    fixmatch: networkSchema
      .extend({
        encoderLrScale: z.number().positive().max(1).default(0.1),
        batchSize: z.number().int().min(1).default(64),
        maxSteps: z.number().int().min(1).default(800),
        keep: z.enum(["best", "last"]).default("last"),
        unlabeledBatchSize: z.number().int().min(1).default(128),
        /** Confidence a weak view's prediction needs to become a pseudo-label. */
        threshold: z.number().gt(0).max(1).default(0.95),
        unlabeledWeight: z.number().min(0).default(1),
        strongAugment: augmentSchema.prefault({ crop: 1, flip: 1, colorJitter: 0.8, noise: 0.3, cutout: 0.5 }),
        strongStrength: z.number().min(0).max(1).default(1),
      })
      .prefault({}),
    supervised: networkSchema.prefault({ lrs: [1e-3, 3e-3] }),
    /** Augmentations of fine-tuning and of the supervised baseline (the same for both), at `augmentStrength`. */
    augment: augmentSchema.prefault({ crop: 1, flip: 1, colorJitter: 0.5, noise: 0.2, cutout: 0 }),
    augmentStrength: z.number().min(0).max(1).default(0.4),
    /** Embedding batch size when running the frozen encoder. */
    embedBatchSize: z.number().int().min(1).default(1024),
    backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
  })
  .strict();

export type EvalSuite = z.infer<typeof evalSuiteSchema>;
export type EvalSuiteInput = z.input<typeof evalSuiteSchema>;
export type NetworkOptions = z.infer<typeof networkSchema>;
export type LinearOptions = z.infer<typeof linearSchema>;

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuiteError";
  }
}

/** Parses a suite; a bad one throws a SuiteError listing each offending field path and why. */
export function parseEvalSuite(input: unknown): EvalSuite {
  const result = evalSuiteSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SuiteError(`invalid evaluation suite:\n${lines.join("\n")}`);
  }
  return result.data;
}
