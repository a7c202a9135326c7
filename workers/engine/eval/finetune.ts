import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier, type NetworkWeights } from "./encoder-classifier";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import { fitProbeHead } from "./probe-head";
import type { EvalSuite, LinearOptions } from "./suite";

/**
 * Fine-tuning as LP-FT (Kumar et al. 2022, https://arxiv.org/abs/2202.10054): the head starts as the
 * linear probe fitted on the frozen features (λ chosen on validation), then the pretrained encoder
 * and the head train together on the labeled subset with the suite's augmentations, the encoder at
 * a lower learning rate (`encoderLrScale`, default 0.1) so the pretrained features are adapted
 * rather than overwritten by gradients of a random head; early-stopped on the validation split,
 * whose first candidate is the probe itself. With `keepWeights` the fine-tuned network comes back
 * too (`kept`), for FixMatch to continue from.
 */
export async function finetune(data: LabeledData, encoderBytes: Uint8Array, o: EvalSuite["finetune"], probe: LinearOptions, seed: number, keepWeights = false): Promise<ProtocolResult & { kept?: NetworkWeights }> {
  const head = await fitProbeHead(data.features.fit, data.fit.labels, data.features.val, data.val.labels, data.numClasses, probe, seed);
  return trainEncoderClassifier(data, () => loadEncoder(encoderBytes, true), o.encoderLrScale, o, seed, { initialHead: head, keepWeights });
}
