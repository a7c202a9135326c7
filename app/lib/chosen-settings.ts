/**
 * What a protocol chose on validation and what it spent, as one line for the label-efficiency chart
 * and the benchmarks page ("policy crop · lr 0.002 · weight decay 0.0005 · 600 steps · budget 10400
 * steps"). Values are each setting's distinct values over the seeds ("crop / crop+flip").
 */
const LABELS: [key: string, show: (v: string) => string][] = [
  ["policy", (v) => `policy ${v}`],
  ["lr", (v) => `lr ${v}`],
  ["weightDecay", (v) => `weight decay ${v}`],
  ["l2", (v) => `λ ${v}`],
  ["steps", (v) => `${v} steps`],
  ["folds", (v) => (v === "0" ? "no validation (continues fine-tuning)" : `${v}-fold CV`)],
  ["budgetSteps", (v) => `budget ${v} steps`],
];

export function describeSettings(settings: Record<string, string>): string {
  const known = LABELS.filter(([key]) => settings[key] !== undefined).map(([key, show]) => show(settings[key]));
  const other = Object.entries(settings).filter(([key]) => !LABELS.some(([k]) => k === key)).map(([key, v]) => `${key} ${v}`);
  return [...known, ...other].join(" · ");
}
