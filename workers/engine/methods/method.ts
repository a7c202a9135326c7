import type * as tf from "@tensorflow/tfjs-core";
import type { Augmenter } from "../augment/augmenter";
import type { Encoder } from "../models/encoder";
import type { ParamSet } from "../models/param-set";
import type { Rng } from "../rng";

/** Per-step inputs a pretext task may use. */
export interface StepContext {
  step: number;
  totalSteps: number;
  /** Curriculum difficulty in [0, 1]: augmentation strength and mask-ratio scale (1 = full). */
  difficulty: number;
  /** Source of all randomness of the step (augmentation parameters, masks). */
  rng: Rng;
  /** Random view of a batch at a given strength (image augmentations or SCARF corruption). */
  augment: Augmenter;
}

/** Named tensors derived from one batch, e.g. {view1, view2} or {input, mask}. */
export type Views = Record<string, tf.Tensor>;

export interface LossTerms {
  /** What the optimizer minimizes. */
  total: tf.Scalar;
  /** Components worth logging ("ntxent", "reconstruction", …); may include total's parts. */
  terms: Record<string, tf.Scalar>;
}

/** What a method is built from; the encoder's weights live in `params` under "encoder/". */
export interface MethodEnv {
  params: ParamSet;
  encoder: Encoder;
  /** A second encoder with its own (non-trainable) weights under `prefix`, e.g. an EMA target. */
  cloneEncoder(prefix: string): Encoder;
  inputShape: number[];
  rng: Rng;
  /** Name prefix for this method's own parameters ("simclr", "byol", …). */
  prefix: string;
}

/**
 * The one interface every pretext task implements: views → loss terms, its trainable variables,
 * and an afterStep hook (EMA / queue updates) run once per optimizer step.
 * All tensor state (heads, EMA targets, queues) is registered in `env.params`, so a checkpoint of
 * the ParamSet captures the method completely.
 */
export interface PretextMethod {
  readonly name: string;
  /** Views of a batch x [n, ...shape]; no gradient flows through them. */
  makeViews(x: tf.Tensor, ctx: StepContext): Views;
  /** Loss for one (micro-)batch of views; runs under the gradient tape. */
  loss(views: Views, ctx: StepContext): LossTerms;
  /** Online encoder + heads, by parameter name. */
  trainableVariables(): [string, tf.Variable][];
  /** After the optimizer update (once per step, after all accumulated micro-batches). */
  afterStep?(ctx: StepContext): void;
}
