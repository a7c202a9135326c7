import type * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";

export const optimizerSchema = z.discriminatedUnion("name", [
  z
    .object({
      name: z.literal("sgd"),
      lr: z.number().positive(),
      momentum: z.number().min(0).lt(1).default(0.9),
      nesterov: z.boolean().default(false),
      weightDecay: z.number().min(0).default(0),
    })
    .strict(),
  z
    .object({
      name: z.enum(["adam", "adamw"]),
      lr: z.number().positive(),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.999),
      epsilon: z.number().positive().default(1e-8),
      weightDecay: z.number().min(0).default(0),
    })
    .strict(),
]);

export type OptimizerConfig = z.infer<typeof optimizerSchema>;

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
