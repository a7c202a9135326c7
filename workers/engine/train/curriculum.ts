import { sampleSize } from "../data/dataset";
import type { SampleView } from "../data/splits";
import { curriculumSchema, type CurriculumConfig } from "../../../server/jobs/configs/pretrain";

export { curriculumSchema, type CurriculumConfig };

/**
 * Curriculum (Bengio et al. 2009, https://dl.acm.org/doi/10.1145/1553374.1553380): training starts
 * easy and ramps up. Difficulty d(s) goes linearly from `start` to 1 over the first `rampFraction`
 * of the steps; augmentation strength is d and a masked-modeling mask ratio is maskRatio·d.
 * `orderByEntropy` additionally presents samples lowest-entropy first in epochs that begin inside
 * the ramp (entropy of a 16-bin value histogram: flat, simple samples first).
 */
export function difficultyAt(step: number, totalSteps: number, cfg: CurriculumConfig): number {
  if (!cfg.enabled) return 1;
  const rampSteps = Math.max(1, cfg.rampFraction * totalSteps);
  return Math.min(1, cfg.start + ((1 - cfg.start) * step) / rampSteps);
}

/** Whether an epoch starting at `step` is still inside the ramp (and so entropy-ordered). */
export function inRamp(step: number, totalSteps: number, cfg: CurriculumConfig): boolean {
  return cfg.enabled && step < cfg.rampFraction * totalSteps;
}

/** Shannon entropy (nats) of a 16-bin histogram of each sample's values, min–max scaled per sample. */
export function sampleEntropies(view: SampleView): Float64Array {
  const size = sampleSize(view.shape);
  const src = view.source.x;
  const out = new Float64Array(view.indices.length);
  const bins = new Float64Array(16);
  for (const [pos, idx] of view.indices.entries()) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < size; j++) {
      const v = src[idx * size + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    bins.fill(0);
    const width = hi > lo ? (hi - lo) / 16 : 1;
    for (let j = 0; j < size; j++) bins[Math.min(15, Math.floor((src[idx * size + j] - lo) / width))] += 1;
    let h = 0;
    for (const c of bins) if (c > 0) h -= (c / size) * Math.log(c / size);
    out[pos] = h;
  }
  return out;
}

/** Positions of a view sorted by ascending entropy (easy first), ties by position. */
export function entropyOrder(entropies: Float64Array): Int32Array {
  return Int32Array.from(entropies.keys()).sort((a, b) => entropies[a] - entropies[b] || a - b);
}
