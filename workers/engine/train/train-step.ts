import * as tf from "@tensorflow/tfjs-core";
import type { PretextMethod, StepContext } from "../methods/method";
import { accumulateGradients } from "./accumulate-gradients";
import { clipByGlobalNorm } from "./clip-gradients";
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
 * afterStep hook (EMA targets, queues). A non-finite loss throws before any update.
 */
export function trainStep(
  method: PretextMethod,
  trainable: [string, tf.Variable][],
  optimizer: Optimizer,
  microBatches: tf.Tensor[],
  ctx: StepContext,
  opts: { lr: number; gradClipNorm?: number; onNonFinite?: (loss: number) => Error },
): StepResult {
  const microViews = microBatches.map((x) => tf.tidy(() => method.makeViews(x, ctx)));
  const { grads, terms } = accumulateGradients(
    microViews.map((views) => () => method.loss(views, ctx)),
    trainable,
  );
  microViews.forEach((v) => tf.dispose(v));
  if (!Number.isFinite(terms.total)) {
    tf.dispose(grads);
    throw opts.onNonFinite?.(terms.total) ?? new Error(`loss is ${terms.total}`);
  }
  const gradNorm = clipByGlobalNorm(grads, opts.gradClipNorm);
  optimizer.apply(trainable, grads, opts.lr);
  tf.dispose(grads);
  method.afterStep?.(ctx);
  return { terms, gradNorm };
}
