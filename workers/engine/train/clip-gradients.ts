import * as tf from "@tensorflow/tfjs-core";

/**
 * The global norm √(Σ_p ‖g_p‖²) of a set of gradients, on the device. Summed pairwise: AddN binds
 * one buffer per input, and WebGPU allows only 8 to 16 per shader.
 */
export function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.sqrt(Object.values(grads).map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b))) as tf.Scalar);
}

/**
 * Clipping by global norm (Pascanu et al. 2013): with N the global norm, every gradient is scaled
 * by min(1, maxNorm / N). Replaces (and disposes) the gradients it scales.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, norm: number, maxNorm: number | undefined): void {
  if (maxNorm === undefined || !(norm > maxNorm)) return;
  const scale = maxNorm / (norm + 1e-12);
  for (const [name, g] of Object.entries(grads)) {
    grads[name] = tf.mul(g, scale);
    g.dispose();
  }
}
