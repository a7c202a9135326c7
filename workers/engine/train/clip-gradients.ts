import * as tf from "@tensorflow/tfjs-core";

/**
 * Clipping by global norm (Pascanu et al. 2013): with N = √(Σ_p ‖g_p‖²), every gradient is scaled
 * by min(1, maxNorm / N). Returns N before clipping; replaces (and disposes) the gradients it scales.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number | undefined): number {
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  if (maxNorm !== undefined && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-12);
    for (const [name, g] of Object.entries(grads)) {
      grads[name] = tf.mul(g, scale);
      g.dispose();
    }
  }
  return norm;
}
