import * as tf from "@tensorflow/tfjs-core";
import type { LossTerms } from "../methods/method";

export interface AccumulatedGradients {
  /** Mean gradient over the micro-batches, by parameter name. */
  grads: Record<string, tf.Tensor>;
  /** Mean of each loss term over the micro-batches ("total" included). */
  terms: Record<string, number>;
}

/**
 * Gradient accumulation: the mean of the gradients of k micro-batch losses. For a loss that is a
 * mean over samples this equals the gradient of one batch k times larger (contrastive losses differ:
 * their negatives come from the micro-batch only). The caller disposes `grads`.
 */
export function accumulateGradients(microBatchLosses: (() => LossTerms)[], vars: [string, tf.Variable][]): AccumulatedGradients {
  const k = microBatchLosses.length;
  const nameOf = new Map(vars.map(([name, v]) => [v.name, name])); // tfjs's variable name → ours
  const sums: Record<string, tf.Tensor> = {};
  const terms: Record<string, number> = {};
  for (const lossFn of microBatchLosses) {
    const kept: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn();
      for (const [key, t] of Object.entries(out.terms)) kept[key] = tf.keep(t.clone());
      return out.total;
    }, vars.map(([, v]) => v));
    terms.total = (terms.total ?? 0) + value.dataSync()[0] / k;
    value.dispose();
    for (const [key, t] of Object.entries(kept)) {
      terms[key] = (terms[key] ?? 0) + t.dataSync()[0] / k;
      t.dispose();
    }
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
