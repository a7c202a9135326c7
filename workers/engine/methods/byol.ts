import * as tf from "@tensorflow/tfjs-core";
import { l2Normalize } from "../models/l2-normalize";
import { EmaTarget } from "./ema";
import { encodeViews } from "./encode-views";
import type { MethodEnv, PretextMethod } from "./method";
import { projectionHead } from "./projection-head";
import { byolSchema, type ByolConfig } from "../../../server/jobs/configs/methods";

export { byolSchema, type ByolConfig };

/** τ_k = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2: τ_base at step 0, rising to 1 at the last step. */
export function byolMomentum(base: number, step: number, totalSteps: number): number {
  return 1 - ((1 - base) * (Math.cos((Math.PI * step) / Math.max(1, totalSteps)) + 1)) / 2;
}

/**
 * BYOL — Grill et al. 2020, "Bootstrap Your Own Latent", https://arxiv.org/abs/2006.07733.
 * The online network (encoder → projector → predictor) predicts the target network's projection
 * of the other view; the target (encoder → projector) is an EMA of the online one. No negatives.
 * Loss per direction: 2 − 2·cos(q, z'), symmetrized over the two views.
 * Target momentum follows the paper's cosine schedule τ_k = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2.
 *
 * Hyperparameters: `momentumBase` τ_base ∈ [0, 1) (paper 0.996), `projector`, `predictor`.
 *
 * @example createByol({ name: "byol", momentumBase: 0.99 }, env)
 */
export function createByol(config: ByolConfig, env: MethodEnv): PretextMethod {
  const cfg = byolSchema.parse(config);
  const projector = projectionHead(env, "projector", env.encoder.outDim, cfg.projector);
  const predictor = projectionHead(env, "predictor", cfg.projector.outDim, cfg.predictor);
  const targetEncoder = env.cloneEncoder(`${env.prefix}/target/encoder`);
  const targetProjector = projectionHead({ ...env, prefix: `${env.prefix}/target` }, "projector", targetEncoder.outDim, cfg.projector);
  env.params.freeze(`${env.prefix}/target/`);
  const entries = env.params.entries();
  const ema = [
    EmaTarget.match(entries, "encoder", `${env.prefix}/target/encoder`),
    EmaTarget.match(entries, `${env.prefix}/projector`, `${env.prefix}/target/projector`),
  ];
  for (const e of ema) e.copyOnline();

  const online = (x: tf.Tensor) => predictor(projector(env.encoder.apply(x))); // [n, c]
  const target = (x: tf.Tensor) => targetProjector(targetEncoder.apply(x)); // [n, c]
  // 2 − 2·cos(p, z) per row, mean over the batch: p, z [n, c] → scalar
  const regression = (p: tf.Tensor2D, z: tf.Tensor2D) =>
    tf.mean(tf.sub(2, tf.mul(tf.sum(tf.mul(l2Normalize(p), l2Normalize(z)), 1), 2))) as tf.Scalar;

  return {
    name: "byol",
    makeViews: (x, ctx) => ({
      view1: ctx.augment(x, ctx.difficulty, ctx.rng),
      view2: ctx.augment(x, ctx.difficulty, ctx.rng),
    }),
    loss(views) {
      const [p1, p2] = encodeViews(online, [views.view1, views.view2]);
      const [t1, t2] = encodeViews(target, [views.view1, views.view2]);
      const loss = tf.div(tf.add(regression(p1, t2), regression(p2, t1)), 2) as tf.Scalar;
      return { total: loss, terms: { regression: loss } };
    },
    trainableVariables: () => [
      ...env.params.withPrefix("encoder/"),
      ...env.params.withPrefix(`${env.prefix}/projector/`),
      ...env.params.withPrefix(`${env.prefix}/predictor/`),
    ],
    afterStep(ctx) {
      const m = byolMomentum(cfg.momentumBase, ctx.step, ctx.totalSteps);
      for (const e of ema) e.update(m);
    },
  };
}
