/** Configs small enough for tests that run real jobs: seconds of work on a few hundred samples. */

/** A pretraining config: SimCLR on a small MLP over 256 Fashion-MNIST images, one epoch. */
export const tinyPretrainConfig = (overrides: Record<string, unknown> = {}) => ({
  name: "tiny",
  dataset: { kind: "fashion-mnist" },
  data: { limit: 256 },
  encoder: { kind: "mlp", hidden: [64], embeddingDim: 16 },
  method: { name: "simclr", temperature: 0.5 },
  optimizer: { name: "adam", lr: 0.001 },
  batchSize: 64,
  epochs: 1,
  seed: 1,
  checkpoint: { everySteps: 4 },
  ...overrides,
});

const TINY_NET = { maxSteps: 10, evalEvery: 5, lrs: [1e-3] };
/** One candidate recipe and two folds: the procedure of the full suite at a fraction of its cost. */
const TINY_SELECTION = { policies: [{ name: "crop", augment: { crop: 0.33 } }], weightDecays: [5e-4], cvFolds: 2 };

/** An evaluation suite: every protocol and baseline at one fraction and seed. */
export const tinyEvalSuite = (overrides: Record<string, unknown> = {}) => ({
  dataset: { kind: "fashion-mnist" },
  fractions: [0.2],
  seeds: [0],
  trainLimit: 500,
  testLimit: 200,
  knn: { k: [5] },
  linearProbe: { l2Grid: [1e-2], maxSteps: 40, minSteps: 20 },
  adapter: TINY_NET,
  finetune: TINY_NET,
  fixmatch: { maxSteps: 10, unlabeledBatchSize: 32 },
  supervised: TINY_NET,
  selection: TINY_SELECTION,
  ...overrides,
});

/** What tinyEvalSuite stores per run: linear_probe, knn_k5, adapter, finetune, fixmatch, supervised, raw_linear. */
export const TINY_SUITE_RESULTS = 7;
