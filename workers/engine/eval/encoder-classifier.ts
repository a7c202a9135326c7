import * as tf from "@tensorflow/tfjs-core";
import { gatherBatch } from "../data/batches";
import { dense } from "../models/layers";
import type { Encoder } from "../models/encoder";
import type { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { predictClasses } from "./gradient-step";
import { subView, type LabeledData, type ProtocolResult } from "./labeled-data";
import type { LinearHead } from "./probe-head";
import { candidateRecipes, chooseRecipe, validationFolds, type Recipe } from "./recipe";
import { accuracy } from "./stats";
import { trainClassifier, type ClassifierTask, type TrainingSchedule } from "./train-classifier";

/** A fresh encoder for one training run (pretrained weights or a random init), owning its params. */
export interface EncoderFactory {
  (seed: number): { encoder: Encoder; params: ParamSet };
}

/** Weights of a trained network (encoder and head) by parameter name, as plain arrays: nothing to dispose. */
export type NetworkWeights = Map<string, { shape: number[]; values: Float32Array }>;

/** How long a network on labeled images trains, and the learning rates it may choose from. */
export interface NetworkLength {
  lrs: number[];
  batchSize: number;
  epochs: number;
  maxSteps: number;
  evalEvery: number;
}

export interface EncoderClassifierOptions {
  /** A linear probe's head fitted on these labeled rows replaces the random head init, as in LP-FT. */
  initialHead?(rows: Int32Array): Promise<LinearHead>;
  /** A trained network's weights (encoder and head) replace the init: training continues from them. */
  initialWeights?: NetworkWeights;
  /** Train with this recipe for the whole schedule instead of choosing one. */
  recipe?: Recipe;
  /** Return the final network's weights with the result, for a protocol that continues from it. */
  keepWeights?: boolean;
  /** A semi-supervised term on unlabeled data, built on the network's logits and the recipe (see fixmatch.ts). */
  unlabeledLoss?(logits: (x: tf.Tensor) => tf.Tensor2D, recipe: Recipe): ClassifierTask["unlabeledLoss"];
}

export type EncoderClassifierResult = ProtocolResult & { kept?: NetworkWeights; recipe: Recipe; budgetSteps: number };

/**
 * Encoder + linear head trained end to end on augmented images of the labeled subset. The recipe
 * (augmentation policy, learning rate, weight decay, steps) is chosen on the labeled subset alone
 * (recipe.ts), then the network trains again on all labeled rows with it and is scored on the test
 * set. The encoder learns at `encoderLrScale` × the head's rate: 1 from scratch, lower when
 * fine-tuning pretrained weights. `budgetSteps` counts every optimizer step spent, choosing included.
 */
export async function trainEncoderClassifier(data: LabeledData, makeEncoder: EncoderFactory, encoderLrScale: number, o: NetworkLength, seed: number, extra: EncoderClassifierOptions = {}): Promise<EncoderClassifierResult> {
  // one schedule for every fold and the final fit, so a length chosen on the folds means the same there
  const steps = Math.max(1, Math.min(o.maxSteps, Math.ceil((o.epochs * data.labeled.labels.length) / o.batchSize)));
  const schedule = (recipe: Recipe): TrainingSchedule => ({ lr: recipe.lr, weightDecay: recipe.weightDecay, batchSize: o.batchSize, steps, evalEvery: o.evalEvery, keep: "last" });
  let budgetSteps = 0;

  /** Builds the network, trains it on `fit` rows of the labeled subset and hands it to `use`. */
  async function train<T>(recipe: Recipe, fit: Int32Array, val: Int32Array, s: TrainingSchedule, use: (logits: (x: tf.Tensor) => tf.Tensor2D, curve: { step: number; accuracy: number }[], params: ParamSet) => Promise<T>): Promise<T> {
    const { encoder, params } = makeEncoder(seed);
    try {
      const head = dense(params, "head", encoder.outDim, data.numClasses, new Rng(seed).fork("head"));
      if (extra.initialHead) assignHead(params, await extra.initialHead(fit), encoder.outDim, data.numClasses);
      if (extra.initialWeights) assignWeights(params, extra.initialWeights);
      const logits = (x: tf.Tensor) => head(encoder.apply(x));
      const fitView = subView(data.labeled, fit);
      const valView = subView(data.labeled, val);
      const trained = await trainClassifier(
        {
          groups: [
            { vars: params.withPrefix("encoder/"), lrScale: encoderLrScale },
            { vars: params.withPrefix("head/"), lrScale: 1 },
          ],
          numClasses: data.numClasses,
          logits,
          trainInputs: (positions, rng) => tf.tidy(() => recipe.policy.augment(gatherBatch(fitView, positions), 1, rng)),
          trainLabels: fitView.labels,
          valInputs: (positions) => gatherBatch(valView, positions),
          valLabels: valView.labels,
          unlabeledLoss: extra.unlabeledLoss?.(logits, recipe),
          signal: data.signal,
        },
        s,
        seed,
      );
      budgetSteps += trained.steps;
      return await use(logits, trained.curve, params);
    } finally {
      params.dispose();
    }
  }

  const choice = extra.recipe
    ? { recipe: extra.recipe, steps, validationAccuracy: NaN, folds: 0 }
    : await chooseRecipe(candidateRecipes(data, o.lrs), validationFolds(data), (recipe, fold) =>
        train(recipe, fold.fit, fold.val, { ...schedule(recipe), keep: "curve" }, async (_, curve) => curve));
  const all = Int32Array.from(data.labeled.labels, (_, i) => i);
  return train(choice.recipe, all, new Int32Array(0), { ...schedule(choice.recipe), stopAt: choice.steps }, async (logits, _, params) => ({
    accuracy: accuracy(await predictClasses(data.test.labels.length, 512, (p) => logits(gatherBatch(data.test, p))), data.test.labels),
    validationAccuracy: choice.validationAccuracy,
    chosen: { policy: choice.recipe.policy.name, lr: choice.recipe.lr, weightDecay: choice.recipe.weightDecay, steps: choice.steps, folds: choice.folds, budgetSteps },
    kept: extra.keepWeights ? await readWeights(params) : undefined,
    recipe: choice.recipe,
    budgetSteps,
  }));
}

function assignHead(params: ParamSet, h: LinearHead, d: number, c: number): void {
  if (h.d !== d || h.c !== c) throw new Error(`initial head is [${h.d}, ${h.c}] but the classifier needs [${d}, ${c}]`);
  tf.tidy(() => {
    params.get("head/kernel").assign(tf.tensor2d(h.kernel, [h.d, h.c]));
    params.get("head/bias").assign(tf.tensor1d(h.bias));
  });
}

/** Read asynchronously: WebGPU has no synchronous read under Node. */
async function readWeights(params: ParamSet): Promise<NetworkWeights> {
  return new Map(await Promise.all(params.entries().map(async ([name, v]) => [name, { shape: v.shape, values: (await v.data()) as Float32Array }] as const)));
}

function assignWeights(params: ParamSet, weights: NetworkWeights): void {
  const tensors = Object.fromEntries([...weights].map(([name, w]) => [name, tf.tensor(w.values, w.shape)]));
  try {
    params.load(tensors);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
