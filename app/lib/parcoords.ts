/** Parallel coordinates of runs (params → one metric), shared by the compare view and a sweep's page. */
import { isDrawable } from "./chart-values";

export type ParamValue = string | number | boolean | null;

/** At most this many distinct values of a log axis are ticked each; more get ticks at powers of 10. */
const MAX_LOG_TICKS = 8;

/**
 * A numeric axis when every value is a number — log-scaled (values as log10, ticks labelled with
 * the values) for positive non-integers spanning 10× or more, as learning rates are swept —, else a
 * categorical one with labelled ticks.
 */
export function paramAxis(label: string, values: ParamValue[]) {
  if (values.every((v) => typeof v === "number")) {
    const nums = values as number[];
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    if (!(lo > 0 && hi / lo >= 10 && !nums.every(Number.isInteger))) return { label, values: nums };
    const distinct = [...new Set(nums)].sort((a, b) => a - b);
    const ticks = distinct.length <= MAX_LOG_TICKS ? distinct : Array.from({ length: Math.ceil(Math.log10(hi)) - Math.floor(Math.log10(lo)) + 1 }, (_, i) => 10 ** (Math.floor(Math.log10(lo)) + i));
    return { label: `${label} (log)`, values: nums.map(Math.log10), tickvals: ticks.map(Math.log10), ticktext: ticks.map((t) => String(Number(t.toPrecision(3)))) };
  }
  const categories = [...new Set(values.map((v) => (v === null ? "null" : String(v))))].sort();
  return {
    label,
    values: values.map((v) => categories.indexOf(v === null ? "null" : String(v))),
    tickvals: categories.map((_, i) => i),
    ticktext: categories,
  };
}

export interface ParcoordsRow {
  params: Record<string, ParamValue>;
  /** the metric's value; rows without a drawable one are left out */
  value: number | null;
}

/**
 * One parcoords trace: an axis per param, then the metric, lines coloured by the metric (the
 * best end bright when `goal` says which end that is). null when no row has a drawable value.
 */
export function parcoordsTrace(rows: ParcoordsRow[], paramKeys: string[], metric: string, goal?: "minimize" | "maximize") {
  const placed = rows.filter((r) => isDrawable(r.value));
  if (placed.length === 0) return null;
  const values = placed.map((r) => r.value as number);
  return {
    type: "parcoords",
    line: { color: values, colorscale: "Viridis", reversescale: goal === "minimize", showscale: true, colorbar: { title: { text: metric, side: "right" }, thickness: 12 } },
    dimensions: [...paramKeys.map((k) => paramAxis(k, placed.map((r) => r.params[k] ?? null))), { label: metric, values }],
    labelfont: { size: 12 },
    // long param paths ("optimizer.weightDecay") would run into their neighbours' labels
    labelangle: paramKeys.length > 4 ? -15 : 0,
    labelside: "top",
  };
}

const PREFERRED = /(^|\/)(loss|acc|accuracy|test_accuracy)$|^eval\//;
const BACKGROUND = /^(system|health|curriculum)\//;

/**
 * The metric a param chart opens on: the sweep's objective when the runs logged it, else one whose
 * latest value differs across the runs (a constant axis says nothing): loss/accuracy-like keys
 * first, then the keys most runs logged; system, health and curriculum metrics last.
 */
export function defaultParamMetric(runs: { metrics: Record<string, { last: number | null }> }[], metricKeys: string[], objective?: string | null): string {
  const logged = (k: string) => runs.map((r) => r.metrics[k]?.last).filter(isDrawable);
  if (objective && metricKeys.includes(objective) && logged(objective).length > 0) return objective;
  const scored = metricKeys.map((k) => {
    const v = logged(k);
    const varies = v.length > 1 && Math.max(...v) - Math.min(...v) > 1e-12 * Math.max(1, Math.abs(Math.max(...v)));
    return { k, score: [varies ? 1 : 0, BACKGROUND.test(k) ? 0 : 1, PREFERRED.test(k) ? 1 : 0, v.length] };
  });
  scored.sort((a, b) => {
    for (let i = 0; i < a.score.length; i++) if (a.score[i] !== b.score[i]) return b.score[i] - a.score[i];
    return a.k < b.k ? -1 : 1;
  });
  return scored[0]?.k ?? "";
}
