import type * as tf from "@tensorflow/tfjs-core";
import type { MethodEnv, PretextMethod } from "./method";
import { encodeViews } from "./encode-views";
import { ntXent } from "./nt-xent";
import { projectionHead } from "./projection-head";
import { simclrSchema, type SimclrConfig } from "../../../server/jobs/configs/methods";

export { simclrSchema, type SimclrConfig };

/**
 * SimCLR — Chen, Kornblith, Norouzi & Hinton 2020, "A Simple Framework for Contrastive Learning of
 * Visual Representations", https://arxiv.org/abs/2002.05709.
 * Two augmented views of each sample pass through encoder f and projection head g; NT-Xent pulls
 * the two views together and pushes the other 2n − 2 samples of the batch away.
 *
 * Hyperparameters: `temperature` τ ∈ [0.01, 10] (paper: 0.5 at small batch sizes),
 * `head` {hidden, outDim, batchNorm}.
 *
 * @example createSimclr({ name: "simclr", temperature: 0.5, head: { hidden: [128], outDim: 64, batchNorm: true } }, env)
 */
export function createSimclr(config: SimclrConfig, env: MethodEnv): PretextMethod {
  const cfg = simclrSchema.parse(config);
  const head = projectionHead(env, "head", env.encoder.outDim, cfg.head);
  const project = (x: tf.Tensor) => head(env.encoder.apply(x));
  return {
    name: "simclr",
    makeViews: (x, ctx) => ({
      view1: ctx.augment(x, ctx.difficulty, ctx.rng),
      view2: ctx.augment(x, ctx.difficulty, ctx.rng),
    }),
    loss(views) {
      const [z1, z2] = encodeViews(project, [views.view1, views.view2]); // [n, c] each
      const loss = ntXent(z1, z2, cfg.temperature);
      return { total: loss, terms: { ntxent: loss } };
    },
    trainableVariables: () => [...env.params.withPrefix("encoder/"), ...env.params.withPrefix(`${env.prefix}/head/`)],
  };
}
