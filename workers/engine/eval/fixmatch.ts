import * as tf from "@tensorflow/tfjs-core";
import type { Augmenter } from "../augment/augmenter";
import { gatherBatch } from "../data/batches";
import { Rng } from "../rng";
import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier, type EncoderClassifierResult } from "./encoder-classifier";
import { BatchSampler, crossEntropy } from "./gradient-step";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import type { EvalSuite } from "./suite";

/**
 * FixMatch (Sohn et al. 2020, https://arxiv.org/abs/2001.07685) continuing from the fine-tuned
 * network, as SimCLRv2 (Chen et al. 2020) continues from it with distillation: the pretrained
 * encoder uses the unlabeled pool a second time, downstream. Each step adds to the labeled
 * cross-entropy a batch of the unlabeled pool: the network's own prediction on a weakly augmented
 * view becomes a pseudo-label where its confidence is ≥ `threshold`, and the network learns it on a
 * strongly augmented view of the same samples (`strongAugment`), weighted by `unlabeledWeight`,
 * averaged over the whole unlabeled batch. The weak view, learning rate and weight decay are the
 * recipe fine-tuning chose (its network is where FixMatch starts); the length is `maxSteps`.
 */
export async function fixmatch(data: LabeledData, encoderBytes: Uint8Array, finetuned: EncoderClassifierResult, o: EvalSuite["fixmatch"], strongAugment: Augmenter, seed: number): Promise<ProtocolResult> {
  const length = { lrs: [finetuned.recipe.lr], batchSize: o.batchSize, epochs: o.epochs, maxSteps: o.maxSteps, evalEvery: o.maxSteps };
  const result = await trainEncoderClassifier(data, () => loadEncoder(encoderBytes, true), o.encoderLrScale, length, seed, {
    initialWeights: finetuned.kept,
    recipe: finetuned.recipe,
    unlabeledLoss: (logits, recipe) => {
      const order = new Rng(seed).fork("unlabeled");
      const sampler = new BatchSampler(data.unlabeled.indices.length, o.unlabeledBatchSize, (p) => order.shuffle(p));
      return (rng) => {
        const x = gatherBatch(data.unlabeled, sampler.next());
        const batch = tf.tidy(() => {
          const probs = tf.softmax(logits(recipe.policy.augment(x, 1, rng)));
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
  // it continues the fine-tuned network: what that cost is part of its budget
  const budgetSteps = result.budgetSteps + finetuned.budgetSteps;
  return { ...result, chosen: { ...result.chosen, budgetSteps } };
}
