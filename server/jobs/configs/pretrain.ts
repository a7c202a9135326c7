/**
 * A pretraining run's config (see server/jobs/configs/common.ts for why it lives here). The engine
 * (workers/engine/config.ts) parses it; the launch service and the launch form check it.
 */
import { z } from "zod";
import { name as runName } from "../../names";
import { augmentSchema, backendChoice, datasetSpecSchema } from "./common";
import { evalSuiteSchema } from "./eval-suite";
import { methodSchema } from "./methods";

const positiveInts = (text: string) => z.array(z.number().int().positive()).describe(text);

export const encoderSchema = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("cnn"),
        channels: z
          .tuple([z.number().int().positive(), z.number().int().positive()])
          .default([32, 64])
          .describe("Channels of the two 3×3 conv blocks, each followed by 2×2 max-pooling (the reference: 32, 64)"),
        embeddingDim: z.number().int().positive().default(128).describe("Size of the representation the encoder outputs"),
      })
      .strict()
      .describe("A small CNN, for images"),
    z
      .object({
        kind: z.literal("mlp"),
        hidden: positiveInts("Hidden layer sizes").default([512, 256]),
        embeddingDim: z.number().int().positive().default(128).describe("Size of the representation the encoder outputs"),
      })
      .strict()
      .describe("An MLP, for tabular rows or flattened images"),
  ])
  .describe("The network being pretrained: what gets registered and evaluated");

export type EncoderConfig = z.infer<typeof encoderSchema>;

const lr = z.number().positive().describe("Peak learning rate (after warm-up)");
const weightDecay = z.number().min(0).default(0).describe("L2 weight decay of kernels (not biases)");

export const optimizerSchema = z
  .discriminatedUnion("name", [
    z
      .object({
        name: z.literal("sgd"),
        lr,
        momentum: z.number().min(0).lt(1).default(0.9).describe("Momentum, in [0, 1)"),
        nesterov: z.boolean().default(false).describe("Nesterov momentum"),
        weightDecay,
      })
      .strict()
      .describe("SGD with momentum"),
    z
      .object({
        name: z.enum(["adam", "adamw"]),
        lr,
        beta1: z.number().min(0).lt(1).default(0.9).describe("Decay of the first-moment estimate"),
        beta2: z.number().min(0).lt(1).default(0.999).describe("Decay of the second-moment estimate"),
        epsilon: z.number().positive().default(1e-8).describe("Added to the denominator for stability"),
        weightDecay: weightDecay.describe("Weight decay of kernels (not biases): adam adds it to the gradient (L2), adamw decays the weights directly"),
      })
      .strict()
      .describe("Adam, or AdamW (decoupled weight decay)"),
  ])
  .describe("How the gradients update the weights");

export type OptimizerConfig = z.infer<typeof optimizerSchema>;

/** Linear warm-up then cosine decay (Loshchilov & Hutter 2017, https://arxiv.org/abs/1608.03983). */
export const scheduleSchema = z
  .object({
    warmupSteps: z.number().int().min(0).default(0).describe("Optimizer steps of linear warm-up from 0 to lr"),
    minLrFraction: z.number().min(0).max(1).default(0).describe("The final learning rate as a fraction of the peak"),
  })
  .strict();

export type ScheduleConfig = z.infer<typeof scheduleSchema>;

/**
 * Curriculum (Bengio et al. 2009, https://dl.acm.org/doi/10.1145/1553374.1553380): training starts
 * easy and ramps up. Difficulty d(s) goes linearly from `start` to 1 over the first `rampFraction`
 * of the steps; augmentation strength is d and a masked-modeling mask ratio is maskRatio·d.
 * `orderByEntropy` additionally presents samples lowest-entropy first in epochs that begin inside
 * the ramp (entropy of a 16-bin value histogram: flat, simple samples first).
 */
export const curriculumSchema = z
  .object({
    enabled: z.boolean().default(false).describe("Start easy: augmentation strength (and mask ratio) ramps up from start to 1"),
    start: z.number().min(0).max(1).default(0.2).describe("Difficulty at the first step"),
    rampFraction: z.number().gt(0).max(1).default(0.5).describe("Share of the run over which the difficulty reaches 1 (the loss often rises meanwhile)"),
    orderByEntropy: z.boolean().default(false).describe("Present simple (low-entropy) samples first in epochs that begin inside the ramp"),
  })
  .strict();

export type CurriculumConfig = z.infer<typeof curriculumSchema>;

/** Representation-health thresholds (workers/engine/health.ts computes the measures). */
export const healthSchema = z
  .object({
    probeSize: z.number().int().min(8).default(256).describe("Samples in the fixed probe batch"),
    minStdRatio: z.number().min(0).default(0.05).describe("Warn below this embedding std ratio (≈ 1 isotropic, 0 collapsed)"),
    minEffectiveRank: z.number().min(1).default(2).describe("Warn below this effective rank of the embeddings"),
    maxUniformity: z.number().max(0).default(-0.1).describe("Warn above this uniformity (it tends to 0 when collapsed)"),
  })
  .strict();

export type HealthConfig = z.infer<typeof healthSchema>;

/**
 * An evaluation suite that a pretraining run requests: queued as an evaluate job of the final
 * encoder when the run finishes, and of an encoder snapshot at the end of each epoch in `atEpochs`
 * (quality against pretraining epochs). `dataset` defaults to the run's.
 */
export const evaluationRequestSchema = evalSuiteSchema.extend({
  dataset: datasetSpecSchema.optional().describe("The labeled dataset to evaluate on; default: the run's"),
  atEpochs: z
    .array(z.number().int().min(1))
    .default([])
    .describe("Also evaluate an encoder snapshot at the end of these epochs (each < epochs): quality against pretraining epochs"),
});
export type EvaluationRequest = z.infer<typeof evaluationRequestSchema>;

/**
 * A pretraining run. `batchSize` is the micro-batch; one optimizer step sees
 * batchSize × accumulationSteps samples. The run lasts `epochs` passes over the unlabeled pool,
 * or `maxSteps` optimizer steps if that is smaller.
 */
export const pretrainConfigSchema = z
  .object({
    name: runName.default("pretrain").describe("The run's name"),
    dataset: datasetSpecSchema,
    data: z
      .object({
        limit: z.number().int().positive().optional().describe("Use at most this many pool samples (a seeded subset): for short runs"),
        testFraction: z.number().min(0).lt(1).default(0.2).describe("Held-out fraction, for datasets without their own test part"),
      })
      .strict()
      .prefault({})
      .describe("Which samples of the dataset to use"),
    encoder: encoderSchema,
    method: methodSchema,
    augment: augmentSchema
      .prefault({})
      .describe("Augmentation weights in [0, 1]: each runs at weight × the curriculum's strength (0 disables it)"),
    optimizer: optimizerSchema,
    schedule: scheduleSchema.prefault({}).describe("Learning rate: linear warm-up, then cosine decay to minLrFraction × lr"),
    batchSize: z
      .number()
      .int()
      .min(2, "batchSize must be ≥ 2 (contrastive losses need negatives)")
      .max(65_536, "batchSize must be at most 65536")
      .default(256)
      .describe("Samples per micro-batch (at least 2: contrastive losses need negatives)"),
    accumulationSteps: z.number().int().min(1).max(1024).default(1).describe("Micro-batches per optimizer step: one step sees batchSize × accumulationSteps samples"),
    encoderWorkers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe("Data parallelism: split each step's encoder passes across this many threads, each with its own backend (worth it on a multi-core CPU with wasm or cpu)"),
    epochs: z.number().int().min(1).max(100_000).default(10).describe("Passes over the unlabeled pool"),
    maxSteps: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe("Stop after this many optimizer steps if that comes before the last epoch"),
    gradClipNorm: z.number().positive().optional().describe("Clip the gradients to this global L2 norm"),
    curriculum: curriculumSchema.prefault({}).describe("Curriculum (Bengio et al. 2009): start with weak augmentation and ramp it up"),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .describe("Seeds initialization, data order and augmentations: the same config and seed give the same run"),
    checkpoint: z
      .object({
        everySteps: z.number().int().min(1).default(500).describe("Save weights, optimizer state and RNG every N steps; a retried job resumes from there"),
        dir: z.string().min(1).optional().describe("Also write checkpoints to this local folder (besides the run's artifacts)"),
      })
      .strict()
      .prefault({})
      .describe("Checkpoints, for crash-resume"),
    precision: z
      .enum(["float32", "float16"])
      .default("float32")
      .refine((p) => p === "float32", {
        message:
          "precision float16 is not supported: TensorFlow.js has no float16 kernels on any backend (cpu, wasm, tfjs-node); use float32",
      })
      .describe("Only float32: TensorFlow.js has no float16 kernels"),
    backend: backendChoice,
    health: healthSchema
      .prefault({})
      .describe("Representation health, measured on a fixed probe batch after every epoch: a threshold crossed tags the run with a collapse warning"),
    logEverySteps: z.number().int().min(1).default(1).describe("Log the step metrics (loss, lr, gradient norm, …) every N steps"),
    evaluation: evaluationRequestSchema
      .optional()
      .describe("Evaluate the final encoder (and snapshots at atEpochs) with this suite when the run finishes"),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [i, epoch] of (cfg.evaluation?.atEpochs ?? []).entries()) {
      if (epoch >= cfg.epochs) ctx.addIssue({ code: "custom", path: ["evaluation", "atEpochs", i], message: `must be < epochs (${cfg.epochs}); the final encoder is always evaluated` });
    }
  });

export type PretrainConfig = z.infer<typeof pretrainConfigSchema>;
export type PretrainConfigInput = z.input<typeof pretrainConfigSchema>;
