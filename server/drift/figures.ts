/**
 * The figures a drift check stores per window, what each means, and the level past which a window
 * counts as drifted (drawn as lines on the charts; alert rules start from them).
 */
import type { DriftTestName } from "@/drizzle/schema";

export interface FigureInfo {
  test: DriftTestName | "input";
  describe: string;
  /** the window is flagged when the figure is past `threshold` in `direction` */
  verdict?: { direction: "above" | "below"; threshold: number };
  /** further reference levels to draw */
  levels?: number[];
}

export const FIGURES: Record<string, FigureInfo> = {
  "mmd.p_value": { test: "mmd", describe: "MMD² permutation p-value", verdict: { direction: "below", threshold: 0.05 } },
  "mmd.statistic": { test: "mmd", describe: "MMD² (RBF kernel, median-heuristic bandwidth)" },
  "ks.p_value": { test: "ks", describe: "smallest per-dimension KS p-value × dimensions (Bonferroni)", verdict: { direction: "below", threshold: 0.05 } },
  "ks.drifted_share": { test: "ks", describe: "share of dimensions with KS p < 0.05 / dimensions" },
  "psi.drifted_share": { test: "psi", describe: "share of dimensions with PSI ≥ 0.1 (Evidently's dataset rule: half)", verdict: { direction: "above", threshold: 0.5 } },
  "psi.max": { test: "psi", describe: "largest per-dimension PSI (0.1 moderate, 0.25 major)", levels: [0.1, 0.25] },
  "psi.mean": { test: "psi", describe: "mean per-dimension PSI", levels: [0.1, 0.25] },
  "classifier.auc": { test: "classifier", describe: "domain-classifier ROC AUC, 5-fold cross-validated (Evidently: 0.55)", verdict: { direction: "above", threshold: 0.55 } },
  "input.mean": { test: "input", describe: "mean of every input value" },
  "input.std": { test: "input", describe: "standard deviation of every input value" },
  "input.missing_rate": { test: "input", describe: "share of input values that are missing (not finite)" },
  "input.mean_shift": { test: "input", describe: "(window mean − reference mean) / reference std" },
};

export const FIGURE_NAMES = Object.keys(FIGURES);

export function breaches(value: number, rule: { direction: "above" | "below"; threshold: number }): boolean {
  return rule.direction === "above" ? value > rule.threshold : value < rule.threshold;
}
