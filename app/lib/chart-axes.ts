/**
 * What a metric chart's axes show and in which unit, from the metric's key alone: the keys the
 * workers log (workers/engine/train/run-logging.ts, workers/worker/system-metrics.ts,
 * workers/engine/eval/run-suite.ts) are named here; other keys get their unit from a suffix.
 */

export type XAxis = "step" | "relative" | "wall";

/** CPU, memory and GPU samples: their "step" is seconds since the run was created, so they are a time series. */
export const isSystemMetric = (key: string) => key.startsWith("system/");

/** `eval/<method>/<fraction>`: one test accuracy per seed, logged with step = seed. */
export const isPerSeedMetric = (key: string) => key.startsWith("eval/");

export interface ValueAxis {
  title: string;
  /** plotly d3-format for ticks, e.g. ".0%" for fractions shown as percent */
  tickformat?: string;
  /** d3-format for hover labels */
  hoverformat: string;
}

// ".1~%": 80.5% where ticks are close, 80% (not 80.0%) where they are not
const PERCENT_OF_FRACTION = { tickformat: ".1~%", hoverformat: ".2%" };

const KNOWN: Record<string, Omit<ValueAxis, "hoverformat"> & { hoverformat?: string }> = {
  loss: { title: "loss" },
  lr: { title: "learning rate" },
  grad_norm: { title: "gradient norm (L2)" },
  images_per_sec: { title: "images / s" },
  epoch: { title: "epoch", hoverformat: "d" },
  "curriculum/difficulty": { title: "difficulty (1 = full)" },
  "health/std_ratio": { title: "std × √d" },
  "health/effective_rank": { title: "effective rank (dims)" },
  "health/alignment": { title: "alignment E‖z − z⁺‖²" },
  "health/uniformity": { title: "uniformity (log)" },
  "system/cpu_percent": { title: "CPU busy (%)" },
  "system/memory_used_mb": { title: "machine memory used (MiB)" },
  "system/process_rss_mb": { title: "worker RSS (MiB)" },
  test_accuracy: { title: "test accuracy (%)", ...PERCENT_OF_FRACTION },
};

/** Unit suffixes of metric names; system metrics' `_mb` are 2^20 bytes. */
const SUFFIXES: [RegExp, (name: string) => string][] = [
  [/_percent$/, (n) => `${n} (%)`],
  [/_mb$/, (n) => `${n} (MiB)`],
  [/_per_sec$/, (n) => `${n} / s`],
  [/_ms$/, (n) => `${n} (ms)`],
  [/_(s|sec|seconds)$/, (n) => `${n} (s)`],
];

export function valueAxis(key: string): ValueAxis {
  const known = KNOWN[key];
  if (known) return { hoverformat: ".4~g", ...known };
  if (isPerSeedMetric(key)) return { title: "test accuracy (%)", ...PERCENT_OF_FRACTION };
  if (key.startsWith("loss/")) return { title: `loss: ${key.slice("loss/".length)}`, hoverformat: ".4~g" };
  const last = key.split("/").at(-1) ?? key;
  const gpu = /^gpu(\d+)_(.*)$/.exec(last);
  const name = gpu ? `GPU ${gpu[1]} ${gpu[2]}` : last;
  for (const [suffix, title] of SUFFIXES) {
    if (suffix.test(name)) return { title: title(name.replace(suffix, "").replaceAll("_", " ")), hoverformat: ".4~g" };
  }
  return { title: name.replaceAll("_", " "), hoverformat: ".4~g" };
}

/** A unit for "time since the run's first point" that keeps the numbers readable. */
export function relativeUnit(spanMs: number): { ms: number; label: string } {
  if (spanMs < 2 * 60_000) return { ms: 1000, label: "s" };
  if (spanMs < 2 * 3_600_000) return { ms: 60_000, label: "min" };
  return { ms: 3_600_000, label: "h" };
}

export function xAxisTitle(key: string, axis: XAxis, unitLabel = "h"): string {
  if (axis === "wall") return "wall time (UTC)";
  if (axis === "relative") return `time since the run's first point (${unitLabel})`;
  return isPerSeedMetric(key) ? "seed" : "step";
}

/** x values for a series: steps, time since the run's first point (in `unitMs`), or wall-clock dates (UTC). */
export function xValues(axis: XAxis, steps: number[], wallTimes: number[], runStart: number, unitMs = 3_600_000): (number | string)[] {
  if (axis === "step") return steps;
  if (axis === "relative") return wallTimes.map((t) => (t - runStart) / unitMs);
  return wallTimes.map((t) => new Date(t).toISOString());
}
