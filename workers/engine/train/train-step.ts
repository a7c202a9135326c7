import * as tf from "@tensorflow/tfjs-core";
import type { PretextMethod, StepContext } from "../methods/method";
import { accumulateGradients } from "./accumulate-gradients";
import { clipByGlobalNorm, globalNorm } from "./clip-gradients";
import type { Optimizer } from "./optimizer";

export interface StepResult {
  /** Mean loss terms over the micro-batches ("total" included). */
  terms: Record<string, number>;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * One optimizer step of a pretext method, as the training loop (and the train benchmark) runs it:
 * views of each micro-batch, accumulated gradients, clipping, the update, then the method's
 * afterStep hook (EMA targets, queues). A non-finite loss throws before any update. The loss terms
 * and the gradient norm come back in one asynchronous read, the step's only one.
 */
export async function trainStep(
  method: PretextMethod,
  trainable: [string, tf.Variable][],
  optimizer: Optimizer,
  microBatches: tf.Tensor[],
  ctx: StepContext,
  opts: { lr: number; gradClipNorm?: number; onNonFinite?: (loss: number) => Error },
): Promise<StepResult> {
  const microViews = microBatches.map((x) => tf.tidy(() => method.makeViews(x, ctx)));
  const { grads, terms: termTensors } = accumulateGradients(
    microViews.map((views) => () => method.loss(views, ctx)),
    trainable,
  );
  microViews.forEach((v) => tf.dispose(v));
  const keys = Object.keys(termTensors);
  const norm = globalNorm(grads);
  const packed = tf.stack([...keys.map((key) => termTensors[key]), norm]);
  const values = await packed.data();
  tf.dispose([packed, norm, ...Object.values(termTensors)]);
  const terms = Object.fromEntries(keys.map((key, i) => [key, values[i]]));
  const gradNorm = values[keys.length];
  if (!Number.isFinite(terms.total)) {
    tf.dispose(grads);
    throw opts.onNonFinite?.(terms.total) ?? new Error(`loss is ${terms.total}`);
  }
  clipByGlobalNorm(grads, gradNorm, opts.gradClipNorm);
  optimizer.apply(trainable, grads, opts.lr);
  tf.dispose(grads);
  method.afterStep?.(ctx);
  return { terms, gradNorm };
}
