import { Rng } from "../rng";
import type { Dataset, SampleSet } from "./dataset";

/** A subset of a sample set given by indices; `labels` are visible only on labeled views. */
export interface SampleView {
  source: SampleSet;
  shape: number[];
  indices: Int32Array;
}

export interface LabeledView extends SampleView {
  labels: Int32Array;
}

export interface Splits {
  /** Training samples with labels hidden: what pretraining sees. */
  unlabeled: SampleView;
  /** Stratified labeled subset of the training part (same seed, same fraction → same subset). */
  labeled(fraction: number, seed: number): LabeledView;
  /** Held-out labeled samples; null when the dataset has no labels. */
  test: LabeledView | null;
}

/**
 * Splits a dataset. A dataset with its own test part keeps it; otherwise `testFraction` of the
 * samples (stratified when labeled) is held out with a seeded draw.
 */
export function makeSplits(ds: Dataset, opts: { seed: number; testFraction?: number }): Splits {
  const shape = ds.descriptor.shape;
  const all = range(ds.train.count);
  let trainIdx = all;
  let test: LabeledView | null = null;
  if (ds.test) {
    if (ds.test.labels) test = labeledView(ds.test, shape, range(ds.test.count));
  } else if ((opts.testFraction ?? 0) > 0) {
    const rng = new Rng(opts.seed).fork("test-split");
    const held = ds.train.labels
      ? stratifiedSample(ds.train.labels, all, opts.testFraction!, rng)
      : rng.permutation(all.length).subarray(0, Math.round(all.length * opts.testFraction!)).sort();
    const heldSet = new Set(held);
    trainIdx = all.filter((i) => !heldSet.has(i));
    if (ds.train.labels) test = labeledView(ds.train, shape, held);
  }
  return {
    unlabeled: { source: ds.train, shape, indices: trainIdx },
    labeled(fraction, seed) {
      if (!ds.train.labels) throw new Error(`dataset ${ds.descriptor.name} has no labels`);
      if (!(fraction > 0 && fraction <= 1)) throw new Error(`label fraction must be in (0, 1], got ${fraction}`);
      const picked = stratifiedSample(ds.train.labels, trainIdx, fraction, new Rng(seed).fork("labeled"));
      return labeledView(ds.train, shape, picked);
    },
    test,
  };
}

/** Per class, a seeded `fraction` of that class's indices (at least one), returned in index order. */
export function stratifiedSample(labels: Int32Array, from: Int32Array, fraction: number, rng: Rng): Int32Array {
  const byClass = new Map<number, number[]>();
  for (const i of from) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const picked: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(byClass.get(cls)!);
    picked.push(...members.slice(0, Math.max(1, Math.round(members.length * fraction))));
  }
  return Int32Array.from(picked).sort();
}

function labeledView(source: SampleSet, shape: number[], indices: Int32Array): LabeledView {
  return { source, shape, indices, labels: Int32Array.from(indices, (i) => source.labels![i]) };
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
