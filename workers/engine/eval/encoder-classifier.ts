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
import { trainClassifier } from "./train-classifier";

/** A fresh encoder for one training run (pretrained weights or a random init), owning its params. */
export interface EncoderFactory {
  (seed: number): { encoder: Encoder; params: ParamSet };
}

/**
 * Encoder + linear head trained end to end on augmented images of the labeled subset, one run per
 * learning rate in `o.lrs`, the best on validation kept (early-stopped). The encoder learns at
 * `encoderLrScale` × the head's rate: 1 from scratch, lower when fine-tuning pretrained weights.
 * `initialHead` (a linear probe's head) replaces the random head init, as in LP-FT.
 */
export async function trainEncoderClassifier(data: LabeledData, makeEncoder: EncoderFactory, encoderLrScale: number, o: NetworkOptions, seed: number, initialHead?: LinearHead): Promise<ProtocolResult> {
  return selectByValidation(o.lrs, async (lr) => {
    const { encoder, params } = makeEncoder(seed);
    const head = dense(params, "head", encoder.outDim, data.numClasses, new Rng(seed).fork("head"));
    if (initialHead) {
      if (initialHead.d !== encoder.outDim || initialHead.c !== data.numClasses) throw new Error(`initial head is [${initialHead.d}, ${initialHead.c}] but the classifier needs [${encoder.outDim}, ${data.numClasses}]`);
      tf.tidy(() => {
        params.get("head/kernel").assign(tf.tensor2d(initialHead.kernel, [initialHead.d, initialHead.c]));
        params.get("head/bias").assign(tf.tensor1d(initialHead.bias));
      });
    }
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
      },
      lr,
      o,
      seed,
    );
    return {
      validationAccuracy: trained.validationAccuracy,
      chosen: { lr, steps: trained.keptStep },
      test: async () => accuracy(await predictClasses(data.test.labels.length, 512, (p) => logits(gatherBatch(data.test, p))), data.test.labels),
      dispose: () => params.dispose(),
    };
  });
}
