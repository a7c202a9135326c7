import { stratifiedSample } from "../data/splits";
import { Rng } from "../rng";

/**
 * Splits rows 0..n−1 of a labeled set into a fitting part and a stratified validation part
 * (`fraction` of each class, at least one), used to choose hyperparameters and stopping steps.
 */
export function stratifiedHoldout(labels: Int32Array, fraction: number, seed: number): { fit: Int32Array; val: Int32Array } {
  const all = Int32Array.from({ length: labels.length }, (_, i) => i);
  const val = stratifiedSample(labels, all, fraction, new Rng(seed).fork("validation"));
  const held = new Set(val);
  return { fit: all.filter((i) => !held.has(i)), val };
}

export function pick(labels: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (r) => labels[r]);
}

/**
 * Stratified k-fold cross-validation splits of rows 0..n−1 (k ≥ 2): each class's rows are shuffled
 * (seeded) and dealt round-robin to the folds, so every fold keeps the class proportions; fold i is
 * the validation part of split i and the other folds its fitting part.
 */
export function stratifiedFolds(labels: Int32Array, k: number, seed: number): { fit: Int32Array; val: Int32Array }[] {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`folds must be an integer ≥ 2, got ${k}`);
  const rng = new Rng(seed).fork("folds");
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });
  const fold = new Int32Array(labels.length);
  let next = 0; // continue the deal across classes so small classes do not all land in fold 0
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) for (const i of rng.shuffle(byClass.get(cls)!)) fold[i] = next++ % k;
  const all = Int32Array.from({ length: labels.length }, (_, i) => i);
  return Array.from({ length: k }, (_, f) => ({ fit: all.filter((i) => fold[i] !== f), val: all.filter((i) => fold[i] === f) }));
}
