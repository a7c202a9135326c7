import * as tf from "@tensorflow/tfjs-core";
import type { LossTerms } from "../methods/method";

export interface AccumulatedGradients {
  /** Mean gradient over the micro-batches, by parameter name. */
  grads: Record<string, tf.Tensor>;
  /** Mean of each loss term over the micro-batches ("total" included), still on the device. */
  terms: Record<string, tf.Scalar>;
}

/**
 * Gradient accumulation: the mean of the gradients of k micro-batch losses. For a loss that is a
 * mean over samples this equals the gradient of one batch k times larger (contrastive losses differ:
 * their negatives come from the micro-batch only). The caller disposes `grads` and `terms`;
 * nothing is read back here (WebGPU has no synchronous read under Node).
 */
export function accumulateGradients(microBatchLosses: (() => LossTerms)[], vars: [string, tf.Variable][]): AccumulatedGradients {
  const k = microBatchLosses.length;
  const nameOf = new Map(vars.map(([name, v]) => [v.name, name])); // tfjs's variable name → ours
  const sums: Record<string, tf.Tensor> = {};
  const terms: Record<string, tf.Scalar> = {};
  const addTerm = (key: string, t: tf.Scalar) => {
    const prev = terms[key];
    terms[key] = tf.tidy(() => (prev ? tf.add(prev, tf.div(t, k)) : tf.div(t, k)));
    prev?.dispose();
    t.dispose();
  };
  for (const lossFn of microBatchLosses) {
    const kept: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn();
      for (const [key, t] of Object.entries(out.terms)) kept[key] = tf.keep(t.clone());
      return out.total;
    }, vars.map(([, v]) => v));
    addTerm("total", value);
    for (const [key, t] of Object.entries(kept)) addTerm(key, t);
    for (const [tfName, g] of Object.entries(grads)) {
      if (!g) continue;
      const name = nameOf.get(tfName)!;
      const prev = sums[name];
      sums[name] = prev ? tf.add(prev, g) : g;
      if (prev) {
        prev.dispose();
        g.dispose();
      }
    }
  }
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(sums)) {
    grads[name] = k === 1 ? g : tf.div(g, k);
    if (k !== 1) g.dispose();
  }
  return { grads, terms };
}
