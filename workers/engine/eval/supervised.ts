import { buildEncoder, type EncoderConfig } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { trainEncoderClassifier, type EncoderClassifierResult, type NetworkLength } from "./encoder-classifier";
import type { LabeledData } from "./labeled-data";

/**
 * The supervised-from-scratch baseline: the same architecture as the encoder under test, randomly
 * initialised (He et al. 2015) and trained with a linear head on the same labeled subset, choosing
 * its augmentation policy, learning rate, weight decay and length by the same cross-validation as
 * fine-tuning (recipe.ts).
 */
export function supervisedBaseline(data: LabeledData, architecture: EncoderConfig, inputShape: number[], o: NetworkLength, seed: number): Promise<EncoderClassifierResult> {
  return trainEncoderClassifier(
    data,
    (s) => {
      const params = new ParamSet();
      return { params, encoder: buildEncoder(architecture, inputShape, params, "encoder", new Rng(s).fork("supervised-init")) };
    },
    1,
    o,
    seed,
  );
}
