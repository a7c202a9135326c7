import { buildEncoder, type EncoderConfig } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { trainEncoderClassifier } from "./encoder-classifier";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import type { EvalSuite } from "./suite";

/**
 * The supervised-from-scratch baseline: the same architecture as the encoder under test, randomly
 * initialised (He et al. 2015) and trained with a linear head on the same labeled subset, with the
 * same augmentations as fine-tuning; each learning rate of `lrs` is tried and the best on the
 * validation split (early-stopped) is reported.
 */
export function supervisedBaseline(data: LabeledData, architecture: EncoderConfig, inputShape: number[], o: EvalSuite["supervised"], seed: number): Promise<ProtocolResult> {
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
