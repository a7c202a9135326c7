import type { AugmentConfig, Augmenter } from "../augment/augmenter";
import type { LabeledView, SampleView } from "../data/splits";
import type { Features } from "./features";

/**
 * One labeled subset of one (fraction, seed), whole and split into a fitting and a validation part,
 * with the test set — as images (for networks that see pixels) and as frozen-encoder features.
 */
export interface LabeledData {
  numClasses: number;
  labeled: LabeledView;
  fit: LabeledView;
  val: LabeledView;
  test: LabeledView;
  /** The whole training pool without its labels: what semi-supervised protocols learn from. */
  unlabeled: SampleView;
  /** Frozen-encoder embeddings of the same rows. */
  features: { labeled: Features; fit: Features; val: Features; test: Features };
  /** Candidate augmentation policies of the networks that train on labeled images. */
  policies: Policy[];
  /** How those networks choose their recipe (see recipe.ts). */
  selection: Selection;
  /** Cancels training: networks stop within a step (the suite then reports "cancelled"). */
  signal?: AbortSignal;
}

/** An augmentation policy, ready to apply. */
export interface Policy {
  name: string;
  config: AugmentConfig;
  augment: Augmenter;
}

export interface Selection {
  weightDecays: number[];
  cvFolds: number;
  cvMaxRows: number;
  /** The holdout used above cvMaxRows. */
  validationFraction: number;
  /** The split seed (the cell's seed). */
  seed: number;
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

/** Result of a protocol that chooses its hyperparameters on validation. */
export interface ProtocolResult {
  accuracy: number;
  validationAccuracy: number;
  /** The chosen hyperparameters and what the protocol cost, e.g. {policy: "crop", lr: 0.002, steps: 600, budgetSteps: 4200}. */
  chosen: Record<string, number | string>;
}
