import * as tf from "@tensorflow/tfjs-core";

/** Rows scaled to unit L2 norm: x [n, c] → x / max(‖x_i‖, ε). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-8): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), eps)));
}
