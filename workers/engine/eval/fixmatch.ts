import * as tf from "@tensorflow/tfjs-core";
import type { Augmenter } from "../augment/augmenter";
import { gatherBatch } from "../data/batches";
import { Rng } from "../rng";
import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier, type NetworkWeights } from "./encoder-classifier";
import { BatchSampler, crossEntropy } from "./gradient-step";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import type { EvalSuite } from "./suite";

/**
 * FixMatch (Sohn et al. 2020, https://arxiv.org/abs/2001.07685) continuing from the fine-tuned
 * network, as SimCLRv2 (Chen et al. 2020) continues from it with distillation: the pretrained
 * encoder uses the unlabeled pool a second time, downstream. Each step adds to the labeled
 * cross-entropy a batch of the unlabeled pool: the network's own prediction on a weakly augmented
 * view (the suite's augmentations) becomes a pseudo-label where its confidence is ≥ `threshold`,
 * and the network learns it on a strongly augmented view of the same samples (`strongAugment`),
 * weighted by `unlabeledWeight`, averaged over the whole unlabeled batch.
 */
export function fixmatch(data: LabeledData, encoderBytes: Uint8Array, finetuned: NetworkWeights, o: EvalSuite["fixmatch"], strongAugment: Augmenter, seed: number): Promise<ProtocolResult> {
  return trainEncoderClassifier(data, () => loadEncoder(encoderBytes, true), o.encoderLrScale, o, seed, {
    initialWeights: finetuned,
    unlabeledLoss: (logits) => {
      const order = new Rng(seed).fork("unlabeled");
      const sampler = new BatchSampler(data.unlabeled.indices.length, o.unlabeledBatchSize, (p) => order.shuffle(p));
      return (rng) => {
        const x = gatherBatch(data.unlabeled, sampler.next());
        const batch = tf.tidy(() => {
          const probs = tf.softmax(logits(data.augment(x, data.augmentStrength, rng)));
          return {
            strong: strongAugment(x, o.strongStrength, rng),
            pseudo: tf.argMax(probs, 1) as tf.Tensor1D,
            mask: tf.cast(tf.greaterEqual(tf.max(probs, 1), o.threshold), "float32") as tf.Tensor1D,
          };
        });
        x.dispose();
        return {
          loss: () => tf.mul(crossEntropy(logits(batch.strong), batch.pseudo, batch.mask), o.unlabeledWeight),
          dispose: () => tf.dispose([batch.strong, batch.pseudo, batch.mask]),
        };
      };
    },
  });
}
