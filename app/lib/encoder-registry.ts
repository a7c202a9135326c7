/** Addresses and wording shared by the encoder registry's pages (/encoders/…). */
import { formatNumber } from "./format";

export const encodersHref = "/encoders";
export const encoderHref = (name: string) => `${encodersHref}/${encodeURIComponent(name)}`;
export const versionHref = (name: string, version: number) => `${encoderHref(name)}/v/${version}`;
export const compareHref = (name: string, a: number, b: number) => `${encoderHref(name)}/compare?a=${a}&b=${b}`;
export const artifactHref = (runId: number, artifactName: string) => `/api/v1/runs/${runId}/artifacts/${artifactName.split("/").map(encodeURIComponent).join("/")}`;

/** A path segment as typed: pages get their params percent-encoded ("my%20encoder"); a stray % stays as it is. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A labeled fraction as the charts label it: 0.01 → "1%". */
export const labelPercent = (fraction: number) => `${formatNumber(fraction * 100)}%`;

/** Accuracies are stored as fractions and shown in percent, as the label-efficiency charts show them. */
export const isAccuracy = (metric: string) => metric.endsWith("accuracy");

export function metricText(metric: string, value: number): string {
  return isAccuracy(metric) ? `${formatNumber(value * 100)} %` : formatNumber(value);
}

/** A spread (std, standard error) in the metric's units: accuracies in percentage points. */
export function spreadText(metric: string, spread: number): string {
  return isAccuracy(metric) ? `${formatNumber(spread * 100)} pp` : formatNumber(spread);
}

/** A signed difference, in the units of spreadText. */
export function differenceText(metric: string, diff: number): string {
  return `${diff > 0 ? "+" : diff < 0 ? "−" : "±"}${spreadText(metric, Math.abs(diff))}`;
}

/** Metrics where less is better; every other metric (accuracies) improves upwards. */
const lowerIsBetter = (metric: string) => /loss|error/i.test(metric);

/**
 * Whether b beats a: "better" or "worse" only when |Δ| > 2·SE; with fewer than two seeds on a side
 * the standard error is unknown (one seed has no spread), so nothing is called.
 */
export function differenceVerdict(metric: string, diff: number | null, se: number | null, nA: number, nB: number): "better" | "worse" | "unclear" {
  if (diff === null || se === null || nA < 2 || nB < 2 || Math.abs(diff) <= 2 * se) return "unclear";
  return diff > 0 !== lowerIsBetter(metric) ? "better" : "worse";
}

/** Where a deployment answers, as the command a user pastes. */
export function embedCurl(deployment: string, valuesPerSample: number | null): string {
  const sample = valuesPerSample === null ? "…numbers…" : `...${valuesPerSample} numbers...`;
  return `curl -s -X POST localhost:3000/api/v1/deployments/${encodeURIComponent(deployment)}/embed -H 'content-type: application/json' -d '{"inputs": [[${sample}]]}'`;
}

/** A registration name for a run's encoder: "<dataset>-<method>" from its config, else the run's name. */
export function suggestedEncoderName(run: { name: string; config: Record<string, unknown> }): string {
  const kindOf = (v: unknown, key: string) => (v && typeof v === "object" && typeof (v as Record<string, unknown>)[key] === "string" ? ((v as Record<string, unknown>)[key] as string) : null);
  const dataset = kindOf(run.config.dataset, "kind") ?? kindOf(run.config.dataset, "name");
  const method = kindOf(run.config.method, "name");
  return dataset && method ? `${dataset}-${method}` : run.name;
}
