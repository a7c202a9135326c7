import type { Augmenter } from "../augment/augmenter";
import type { LabeledView, SampleView } from "../data/splits";
import type { Features } from "./features";

/**
 * One labeled subset of one (fraction, seed), split into a fitting and a validation part, with the
 * test set — as images (for networks that see pixels) and as frozen-encoder features.
 */
export interface LabeledData {
  numClasses: number;
  fit: LabeledView;
  val: LabeledView;
  test: LabeledView;
  /** The whole training pool without its labels: what semi-supervised protocols learn from. */
  unlabeled: SampleView;
  /** Frozen-encoder embeddings of the same rows: [fit.n, d], [val.n, d], [test.n, d]. */
  features: { fit: Features; val: Features; test: Features };
  augment: Augmenter;
  augmentStrength: number;
  /** Cancels training: networks stop within a step (the suite then reports "cancelled"). */
  signal?: AbortSignal;
}

/** The rows of a labeled view at positions `rows` (labels follow). */
export function subView(view: LabeledView, rows: Int32Array): LabeledView {
  return {
    source: view.source,
    shape: view.shape,
    indices: Int32Array.from(rows, (r) => view.indices[r]),
    labels: Int32Array.from(rows, (r) => view.labels[r]),
  };
}

/** Result of a protocol that chooses a hyperparameter on the validation split. */
export interface ProtocolResult {
  accuracy: number;
  validationAccuracy: number;
  /** The chosen hyperparameters, e.g. {lr: 0.001, steps: 350}. */
  chosen: Record<string, number>;
}
