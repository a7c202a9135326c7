import type * as tf from "@tensorflow/tfjs-core";
import { optimizerSchema, type OptimizerConfig } from "../../../server/jobs/configs/pretrain";

export { optimizerSchema, type OptimizerConfig };

/**
 * Applies gradients to named variables. State (moments, step count) is exposed by name so a
 * checkpoint can restore it exactly. Weight decay applies to kernels (rank ≥ 2) only, not to
 * biases or normalization parameters.
 */
export interface Optimizer {
  apply(vars: [string, tf.Variable][], grads: Record<string, tf.Tensor>, lr: number): void;
  /** Borrowed tensors (the optimizer keeps owning them). */
  state(): Record<string, tf.Tensor>;
  loadState(state: Record<string, tf.Tensor>): void;
  dispose(): void;
}

export function decays(v: tf.Variable): boolean {
  return v.rank >= 2;
}
