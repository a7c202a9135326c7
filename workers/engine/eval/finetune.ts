import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier, type EncoderClassifierResult, type NetworkLength } from "./encoder-classifier";
import { selectRows } from "./features";
import { pick, stratifiedHoldout } from "./holdout";
import type { LabeledData } from "./labeled-data";
import { fitProbeHead } from "./probe-head";
import type { LinearOptions } from "./suite";

/**
 * Fine-tuning as LP-FT (Kumar et al. 2022, https://arxiv.org/abs/2202.10054): the head starts as the
 * linear probe fitted on the frozen features of the rows it trains on (λ chosen on a holdout of
 * them), then the pretrained encoder and the head train together with augmentations, the encoder
 * at `encoderLrScale` × the head's rate so the pretrained features are adapted rather than
 * overwritten by gradients of a random head. Policy, learning rate, weight decay and length are
 * chosen as for the supervised baseline (recipe.ts). With `keepWeights` the fine-tuned network
 * comes back too (`kept`), for FixMatch to continue from.
 */
export function finetune(data: LabeledData, encoderBytes: Uint8Array, o: NetworkLength & { encoderLrScale: number }, probe: LinearOptions, seed: number, keepWeights = false): Promise<EncoderClassifierResult> {
  const initialHead = (rows: Int32Array) => {
    const labels = pick(data.labeled.labels, rows);
    const { fit, val } = stratifiedHoldout(labels, data.selection.validationFraction, seed);
    const features = selectRows(data.features.labeled, rows);
    return fitProbeHead(selectRows(features, fit), pick(labels, fit), selectRows(features, val), pick(labels, val), data.numClasses, probe, seed);
  };
  return trainEncoderClassifier(data, () => loadEncoder(encoderBytes, true), o.encoderLrScale, o, seed, { initialHead, keepWeights });
}
