import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier } from "./encoder-classifier";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import type { EvalSuite } from "./suite";

/**
 * Fine-tuning (SimCLR §B.5; Kornblith et al. 2019): the pretrained encoder and a new linear head
 * trained together on the labeled subset with the suite's augmentations, the encoder at a lower
 * learning rate (`encoderLrScale`, default 0.1) than the head so the pretrained features are
 * adapted rather than overwritten; early-stopped on the validation split.
 */
export function finetune(data: LabeledData, encoderBytes: Uint8Array, o: EvalSuite["finetune"], seed: number): Promise<ProtocolResult> {
  return trainEncoderClassifier(data, () => loadEncoder(encoderBytes, true), o.encoderLrScale, o, seed);
}
