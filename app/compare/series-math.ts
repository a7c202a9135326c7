/** Pure helpers of the compare view: smoothing, run colours and the param diff. */
import type { ParamValue } from "@/app/lib/parcoords";

/**
 * Exponential moving average with TensorBoard's debiasing (the first values are not pulled
 * towards 0). `weight` 0 returns the values unchanged; non-finite values stay as gaps and do not
 * enter the average.
 */
export function smoothEma(values: number[], weight: number): number[] {
  if (weight <= 0) return values;
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}

const PALETTE = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0598bc", "#bf3989", "#6e7781", "#9a6700", "#116329"];

/** Distinct colours: a fixed palette first, then golden-angle hues for 11+ runs. */
export function runColor(index: number): string {
  if (index < PALETTE.length) return PALETTE[index];
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue}, 65%, ${index % 2 ? 38 : 50}%)`;
}

/** The param keys whose values are not the same in every run (a param a run lacks counts as differing). */
export function differingParams(runs: { params: Record<string, ParamValue> }[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  return keys.filter((k) => {
    const seen = new Set(runs.map((r) => (k in r.params ? JSON.stringify(r.params[k]) : "∅")));
    return seen.size > 1;
  });
}
