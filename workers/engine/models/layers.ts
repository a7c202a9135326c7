import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";
import { heNormal, type ParamSet } from "./param-set";

/** Fully connected layer: x [n, in] → x·W + b [n, out]. */
export function dense(params: ParamSet, name: string, inDim: number, outDim: number, rng: Rng) {
  const w = params.add(`${name}/kernel`, heNormal([inDim, outDim], inDim, rng));
  const b = params.add(`${name}/bias`, tf.zeros([outDim]));
  return (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

/** 3×3 "same" convolution: x [n, h, w, cin] → [n, h, w, cout]. */
export function conv3x3(params: ParamSet, name: string, cin: number, cout: number, rng: Rng) {
  const w = params.add(`${name}/kernel`, heNormal([3, 3, cin, cout], 9 * cin, rng));
  const b = params.add(`${name}/bias`, tf.zeros([cout]));
  return (x: tf.Tensor4D): tf.Tensor4D => tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, "same"), b);
}

/**
 * Batch normalisation with batch statistics (Ioffe & Szegedy 2015), as used in SimCLR/BYOL heads:
 * x [n, d] → γ·(x − μ_batch)/√(σ²_batch + ε) + β. No running averages: heads are only trained.
 */
export function batchNorm(params: ParamSet, name: string, dim: number) {
  const gamma = params.add(`${name}/gamma`, tf.ones([dim]));
  const beta = params.add(`${name}/beta`, tf.zeros([dim]));
  return (x: tf.Tensor2D): tf.Tensor2D => {
    const { mean, variance } = tf.moments(x, 0);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
  };
}
