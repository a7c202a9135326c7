import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";
import { conv3x3, dense } from "./layers";
import { mlp } from "./mlp";
import type { ParamSet } from "./param-set";
import { encoderSchema, type EncoderConfig } from "../../../server/jobs/configs/pretrain";

export { encoderSchema, type EncoderConfig };

/** Maps a batch of samples x [n, ...inputShape] to representations [n, d]. */
export interface Encoder {
  readonly outDim: number;
  apply(x: tf.Tensor): tf.Tensor2D;
}

/** Builds an encoder whose weights are registered in `params` under `prefix`. */
export function buildEncoder(cfg: EncoderConfig, inputShape: number[], params: ParamSet, prefix: string, rng: Rng): Encoder {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (cfg.kind === "mlp") {
    const net = mlp(params, prefix, [size, ...cfg.hidden, cfg.embeddingDim], rng);
    return { outDim: cfg.embeddingDim, apply: (x) => net(tf.reshape(x, [x.shape[0], size])) };
  }
  if (inputShape.length !== 3) {
    throw new Error(`the CNN encoder needs image inputs [h, w, c], got [${inputShape}]; use the MLP encoder for tabular data`);
  }
  const [h, w, c] = inputShape;
  const [c1, c2] = cfg.channels;
  const conv1 = conv3x3(params, `${prefix}/conv1`, c, c1, rng);
  const conv2 = conv3x3(params, `${prefix}/conv2`, c1, c2, rng);
  const flat = Math.floor(h / 4) * Math.floor(w / 4) * c2;
  const fc = dense(params, `${prefix}/fc`, flat, cfg.embeddingDim, rng);
  return {
    outDim: cfg.embeddingDim,
    apply: (x) => {
      const n = x.shape[0];
      const x4 = tf.reshape(x, [n, h, w, c]) as tf.Tensor4D;
      // relu(maxPool(·)) = maxPool(relu(·)), gradient included (where the window max is ≤ 0 both
      // give 0); pooling first runs ReLU and its gradient on a quarter of the activations.
      const a = tf.relu(tf.maxPool(conv1(x4), 2, 2, "valid")); // [n, h/2, w/2, c1]
      const b = tf.relu(tf.maxPool(conv2(a), 2, 2, "valid")); // [n, h/4, w/4, c2]
      return fc(tf.reshape(b, [n, flat]));
    },
  };
}
