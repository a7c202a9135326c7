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
