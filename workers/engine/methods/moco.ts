import * as tf from "@tensorflow/tfjs-core";
import { EmaTarget } from "./ema";
import { MemoryBank } from "./memory-bank";
import type { MethodEnv, PretextMethod } from "./method";
import { ntXentWithMemoryBank } from "./nt-xent";
import { projectionHead } from "./projection-head";
import { mocoSchema, type MocoConfig } from "../../../server/jobs/configs/methods";

export { mocoSchema, type MocoConfig };

/**
 * MoCo v2 — Chen, Fan, Girshick & He 2020, "Improved Baselines with Momentum Contrastive Learning",
 * https://arxiv.org/abs/2003.04297 (MoCo v1: He et al., https://arxiv.org/abs/1911.05722).
 * A query encoder (+ MLP head) is trained with InfoNCE against the key of the other view (from a
 * momentum encoder, an EMA of the query encoder) and K negatives from a FIFO queue of past keys.
 *
 * Hyperparameters: `temperature` τ (paper 0.2), `queueSize` K ≥ 1 (paper 65536; must not exceed
 * what a few batches can refresh), `momentum` m ∈ [0, 1) (paper 0.999), `head`.
 *
 * @example createMoco({ name: "moco", temperature: 0.2, queueSize: 4096, momentum: 0.99 }, env)
 */
export function createMoco(config: MocoConfig, env: MethodEnv): PretextMethod {
  const cfg = mocoSchema.parse(config);
  const queryHead = projectionHead(env, "head", env.encoder.outDim, cfg.head);
  const keyEncoder = env.cloneEncoder(`${env.prefix}/key/encoder`);
  const keyHead = projectionHead({ ...env, prefix: `${env.prefix}/key` }, "head", keyEncoder.outDim, cfg.head);
  const entries = env.params.entries();
  const ema = [
    EmaTarget.match(entries, "encoder", `${env.prefix}/key/encoder`),
    EmaTarget.match(entries, `${env.prefix}/head`, `${env.prefix}/key/head`),
  ];
  for (const e of ema) e.copyOnline();
  env.params.freeze(`${env.prefix}/key/`);
  const queue = new MemoryBank(env.params, env.prefix, cfg.queueSize, cfg.head.outDim, env.rng);
  let pendingKeys: tf.Tensor2D[] = []; // keys of this step's micro-batches, enqueued in afterStep

  return {
    name: "moco",
    makeViews: (x, ctx) => ({
      query: ctx.augment(x, ctx.difficulty, ctx.rng),
      key: ctx.augment(x, ctx.difficulty, ctx.rng),
    }),
    loss(views) {
      const q = queryHead(env.encoder.apply(views.query)); // [n, c]
      const k = keyHead(keyEncoder.apply(views.key)); // [n, c]; key weights are not in the gradient list
      pendingKeys.push(tf.keep(k.clone()));
      const loss = ntXentWithMemoryBank(q, k, queue.keys, cfg.temperature);
      return { total: loss, terms: { infonce: loss } };
    },
    trainableVariables: () => [...env.params.withPrefix("encoder/"), ...env.params.withPrefix(`${env.prefix}/head/`)],
    afterStep() {
      for (const e of ema) e.update(cfg.momentum);
      for (const k of pendingKeys) {
        queue.enqueue(k);
        k.dispose();
      }
      pendingKeys = [];
    },
  };
}
