import * as tf from "@tensorflow/tfjs-core";
import { patchMask } from "../augment/patch-mask";
import { mlp } from "../models/mlp";
import type { MethodEnv, PretextMethod } from "./method";
import { maskedModelingSchema, type MaskedModelingConfig } from "../../../server/jobs/configs/methods";

export { maskedModelingSchema, type MaskedModelingConfig };

/**
 * Masked modeling in the style of MAE — He et al. 2022, "Masked Autoencoders Are Scalable Vision
 * Learners", https://arxiv.org/abs/2111.06377. A random `maskRatio` of the patches is zeroed, the
 * encoder sees the rest, and a small MLP decoder reconstructs the whole sample from the embedding;
 * the loss is the mean squared error on the masked elements only. (MAE drops masked tokens from a
 * ViT; with a CNN/MLP encoder they are zeroed instead.) Under a curriculum the ratio used is
 * maskRatio × difficulty. Tabular rows are masked per feature.
 *
 * Hyperparameters: `maskRatio` ∈ (0, 1) (paper 0.75), `patchSize` ≥ 1 (image pixels per patch side),
 * `decoderHidden` (decoder MLP hidden sizes).
 *
 * @example createMaskedModeling({ name: "masked", maskRatio: 0.75, patchSize: 7 }, env)
 */
export function createMaskedModeling(config: MaskedModelingConfig, env: MethodEnv): PretextMethod {
  const cfg = maskedModelingSchema.parse(config);
  const shape = env.inputShape;
  if (shape.length === 3 && (shape[0] % cfg.patchSize !== 0 || shape[1] % cfg.patchSize !== 0)) {
    throw new Error(`masked modeling: patchSize ${cfg.patchSize} must divide the image size ${shape[0]}x${shape[1]}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const decoder = mlp(env.params, `${env.prefix}/decoder`, [env.encoder.outDim, ...cfg.decoderHidden, size], env.rng);

  return {
    name: "masked",
    makeViews(x, ctx) {
      const mask = patchMask(x.shape[0], shape, cfg.patchSize, cfg.maskRatio * ctx.difficulty, ctx.rng); // 1 = masked
      return { target: x.clone(), input: tf.tidy(() => tf.mul(x, tf.sub(1, mask))), mask };
    },
    loss(views) {
      const n = views.target.shape[0];
      const recon = decoder(env.encoder.apply(views.input)); // [n, size]
      const mask = tf.reshape(views.mask, [n, size]);
      const err = tf.mul(tf.square(tf.sub(recon, tf.reshape(views.target, [n, size]))), mask); // [n, size]
      const loss = tf.div(tf.sum(err), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
      return { total: loss, terms: { reconstruction: loss } };
    },
    trainableVariables: () => [...env.params.withPrefix("encoder/"), ...env.params.withPrefix(`${env.prefix}/decoder/`)],
  };
}
