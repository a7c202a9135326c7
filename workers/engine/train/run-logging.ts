import type { MetricPoint, ParamValue } from "../../../server/tracking/tracker";
import type { HealthReport } from "../health";

/** Nested config → flat "a.b.c" params; arrays become JSON strings. */
export function flattenParams(value: unknown, prefix = "", out: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  } else if (value === undefined) {
    return out;
  } else {
    out[prefix] = value as ParamValue;
  }
  return out;
}

export interface StepRecord {
  /** 0-based optimizer step. */
  step: number;
  epoch: number;
  /** Mean total loss over the step's micro-batches. */
  loss: number;
  terms: Record<string, number>;
  lr: number;
  gradNorm: number;
  difficulty: number;
  imagesPerSec: number;
}

export function stepMetrics(r: StepRecord): MetricPoint[] {
  const points: MetricPoint[] = [
    { key: "loss", step: r.step, value: r.loss },
    { key: "lr", step: r.step, value: r.lr },
    { key: "grad_norm", step: r.step, value: r.gradNorm },
    { key: "images_per_sec", step: r.step, value: r.imagesPerSec },
    { key: "epoch", step: r.step, value: r.epoch },
    { key: "curriculum/difficulty", step: r.step, value: r.difficulty },
  ];
  for (const [k, v] of Object.entries(r.terms)) if (k !== "total") points.push({ key: `loss/${k}`, step: r.step, value: v });
  return points;
}

export function healthMetrics(h: HealthReport, step: number): MetricPoint[] {
  return [
    { key: "health/std_ratio", step, value: h.stdRatio },
    { key: "health/effective_rank", step, value: h.effectiveRank },
    { key: "health/alignment", step, value: h.alignment },
    { key: "health/uniformity", step, value: h.uniformity },
  ];
}
