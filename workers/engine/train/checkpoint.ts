import type * as tf from "@tensorflow/tfjs-core";
import { decodeTensorFile, encodeTensorFile } from "../models/tensor-file";
import type { RngState } from "../rng";

/** Everything needed to continue a run exactly where it stopped. */
export interface TrainingStateMeta {
  kind: "pretext-training-state";
  /** Optimizer steps completed. */
  step: number;
  rng: RngState;
  /** The config the state belongs to (for a shape/method mismatch check on resume). */
  fingerprint: string;
}

/**
 * Checkpoint = all parameters (online encoder and heads, EMA targets, MoCo queue + pointer) under
 * "param/…" and the optimizer slots under "optimizer/…", plus step and RNG state as metadata.
 */
export function encodeTrainingState(
  meta: Omit<TrainingStateMeta, "kind">,
  params: [string, tf.Variable][],
  optimizerState: Record<string, tf.Tensor>,
): Promise<Uint8Array> {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, v] of params) tensors[`param/${name}`] = v;
  for (const [name, t] of Object.entries(optimizerState)) tensors[`optimizer/${name}`] = t;
  return encodeTensorFile({ kind: "pretext-training-state", ...meta }, tensors);
}

export interface DecodedTrainingState {
  meta: TrainingStateMeta;
  params: Record<string, tf.Tensor>;
  optimizer: Record<string, tf.Tensor>;
  dispose(): void;
}

export function decodeTrainingState(bytes: Uint8Array): DecodedTrainingState {
  const { meta, tensors } = decodeTensorFile<TrainingStateMeta>(bytes);
  if (meta?.kind !== "pretext-training-state") throw new Error("not a training checkpoint (missing training state)");
  const pick = (prefix: string) =>
    Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
  return {
    meta,
    params: pick("param/"),
    optimizer: pick("optimizer/"),
    dispose: () => Object.values(tensors).forEach((t) => t.dispose()),
  };
}
