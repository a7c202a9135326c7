import type * as tf from "@tensorflow/tfjs-core";
import type { MethodEnv, PretextMethod } from "./method";
import { encodeViews } from "./encode-views";
import { ntXent } from "./nt-xent";
import { projectionHead } from "./projection-head";
import { scarfSchema, type ScarfConfig } from "../../../server/jobs/configs/methods";

export { scarfSchema, type ScarfConfig };

/**
 * SCARF — Bahri, Jiang, Tay & Metzler 2022, "SCARF: Self-Supervised Contrastive Learning using
 * Random Feature Corruption", https://arxiv.org/abs/2106.15147. For tabular rows: the anchor is the
 * row itself, the positive is the row with a fraction of its features replaced by draws from each
 * feature's marginal (the augmenter's feature corruption, rate = augment.featureCorruption ×
 * difficulty); NT-Xent over the batch.
 *
 * Hyperparameters: `temperature` τ (paper 1.0), `head`.
 *
 * @example createScarf({ name: "scarf", temperature: 1 }, env)
 */
export function createScarf(config: ScarfConfig, env: MethodEnv): PretextMethod {
  const cfg = scarfSchema.parse(config);
  if (env.inputShape.length !== 1) {
    throw new Error(`SCARF works on tabular rows [features]; this dataset's samples are [${env.inputShape}]`);
  }
  const head = projectionHead(env, "head", env.encoder.outDim, cfg.head);
  const project = (x: tf.Tensor) => head(env.encoder.apply(x));
  return {
    name: "scarf",
    makeViews: (x, ctx) => ({ anchor: x.clone(), corrupted: ctx.augment(x, ctx.difficulty, ctx.rng) }),
    loss(views) {
      const [z1, z2] = encodeViews(project, [views.anchor, views.corrupted]); // [n, c] each
      const loss = ntXent(z1, z2, cfg.temperature);
      return { total: loss, terms: { ntxent: loss } };
    },
    trainableVariables: () => [...env.params.withPrefix("encoder/"), ...env.params.withPrefix(`${env.prefix}/head/`)],
  };
}
