import * as tf from "@tensorflow/tfjs-core";
import { gatherBatch } from "../data/batches";
import { dense } from "../models/layers";
import type { Encoder } from "../models/encoder";
import type { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { predictClasses } from "./gradient-step";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import type { LinearHead } from "./probe-head";
import { selectByValidation } from "./select-by-validation";
import { accuracy } from "./stats";
import type { NetworkOptions } from "./suite";
import { trainClassifier, type ClassifierTask } from "./train-classifier";

/** A fresh encoder for one training run (pretrained weights or a random init), owning its params. */
export interface EncoderFactory {
  (seed: number): { encoder: Encoder; params: ParamSet };
}

/** Weights of a trained network (encoder and head) by parameter name, as plain arrays: nothing to dispose. */
export type NetworkWeights = Map<string, { shape: number[]; values: Float32Array }>;

export interface EncoderClassifierOptions {
  /** A linear probe's head replaces the random head init, as in LP-FT. */
  initialHead?: LinearHead;
  /** A trained network's weights (encoder and head) replace the init: training continues from them. */
  initialWeights?: NetworkWeights;
  /** Return the kept network's weights with the result, for a protocol that continues from it. */
  keepWeights?: boolean;
  /** A semi-supervised term on unlabeled data, built on the network's logits (see fixmatch.ts). */
  unlabeledLoss?(logits: (x: tf.Tensor) => tf.Tensor2D): ClassifierTask["unlabeledLoss"];
}

/**
 * Encoder + linear head trained end to end on augmented images of the labeled subset, one run per
 * learning rate in `o.lrs`, the best on validation kept (early-stopped). The encoder learns at
 * `encoderLrScale` × the head's rate: 1 from scratch, lower when fine-tuning pretrained weights.
 */
export async function trainEncoderClassifier(data: LabeledData, makeEncoder: EncoderFactory, encoderLrScale: number, o: NetworkOptions, seed: number, extra: EncoderClassifierOptions = {}): Promise<ProtocolResult & { kept?: NetworkWeights }> {
  return selectByValidation(o.lrs, async (lr) => {
    const { encoder, params } = makeEncoder(seed);
    const head = dense(params, "head", encoder.outDim, data.numClasses, new Rng(seed).fork("head"));
    if (extra.initialHead) assignHead(params, extra.initialHead, encoder.outDim, data.numClasses);
    if (extra.initialWeights) assignWeights(params, extra.initialWeights);
    const logits = (x: tf.Tensor) => head(encoder.apply(x));
    const trained = await trainClassifier(
      {
        groups: [
          { vars: params.withPrefix("encoder/"), lrScale: encoderLrScale },
          { vars: params.withPrefix("head/"), lrScale: 1 },
        ],
        numClasses: data.numClasses,
        logits,
        trainInputs: (positions, rng) =>
          tf.tidy(() => data.augment(gatherBatch(data.fit, positions), data.augmentStrength, rng)),
        trainLabels: data.fit.labels,
        valInputs: (positions) => gatherBatch(data.val, positions),
        valLabels: data.val.labels,
        unlabeledLoss: extra.unlabeledLoss?.(logits),
        signal: data.signal,
      },
      lr,
      o,
      seed,
    );
    return {
      validationAccuracy: trained.validationAccuracy,
      chosen: { lr, steps: trained.keptStep },
      test: async () => accuracy(await predictClasses(data.test.labels.length, 512, (p) => logits(gatherBatch(data.test, p))), data.test.labels),
      keep: extra.keepWeights ? () => readWeights(params) : undefined,
      dispose: () => params.dispose(),
    };
  });
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
