import * as tf from "@tensorflow/tfjs-core";

/**
 * Runs `f` (an encoder, with or without heads) once on all views stacked as one batch and returns
 * each view's rows. One encoder call per loss is what a data-parallel encoder shards; batch norm
 * in the heads then normalises over all views together.
 */
export function encodeViews(f: (x: tf.Tensor) => tf.Tensor2D, views: tf.Tensor[]): tf.Tensor2D[] {
  const z = f(tf.concat(views, 0));
  return tf.split(z, views.map((v) => v.shape[0]), 0) as tf.Tensor2D[];
}
