/**
 * Addresses, wording and number formats of a deployment's rollout page (/deployments/<name>/rollout):
 * flag rules in words, ramp steps and actions, experiment figures, shadow charts. Pure: the server
 * page and its client forms both use it.
 */
import type { FlagRule, RampCheck, RampGuardrails, RampStatus, RampStep } from "@/drizzle/schema";
import { formatNumber } from "@/app/lib/format";
import { deploymentHref } from "./monitoring";

/** Where the ramp's rollback email points (server/rollout/ramp.ts writes the same path). */
export const rolloutHref = (deployment: string) => `${deploymentHref(deployment)}/rollout`;
export const experimentHref = (deployment: string, key: string) => `${rolloutHref(deployment)}?experiment=${encodeURIComponent(key)}#experiments`;
/** The SDK connection's path: what GrowthBook SDKs fetch with `apiHost` and `clientKey`. */
export const featuresPath = (clientKey: string) => `/api/features/${encodeURIComponent(clientKey)}`;

/** A share (0..1) as a percentage: 0.05 → "5 %", 1/3 → "33.33 %". */
export function formatShare(share: number): string {
  return `${formatNumber(share * 100)} %`;
}

/** A relative effect with its sign: 0.1234 → "+12.34 %", -0.02 → "−2 %". */
export function formatLift(effect: number): string {
  const text = formatShare(Math.abs(effect));
  return effect > 0 ? `+${text}` : effect < 0 ? `−${text}` : text;
}

/** A 95 % interval of relative effects: "[−1.2 %, +25.6 %]". */
export function formatInterval([lo, hi]: readonly [number, number]): string {
  return `[${formatLift(lo)}, ${formatLift(hi)}]`;
}

/** A p-value to the precision that matters: "0.0123", "< 0.0001". */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "—";
  if (p < 1e-4) return "< 0.0001";
  return p >= 0.1 ? p.toFixed(2) : formatNumber(Number(p.toPrecision(2)));
}

/** Agreement figures (cosine, overlap) to three decimals, where 0.9996 and 1 must read apart from 0.98. */
export function formatAgreement(v: number | null): string {
  return v === null ? "—" : v.toFixed(3);
}

export function formatMs(v: number | null): string {
  return v === null ? "—" : `${formatNumber(v)} ms`;
}

/** Whether a variation's effect is clearly better, clearly worse, or not yet either, by its interval and the metric's goal. */
export function liftVerdict(ci: readonly [number, number], goal: "increase" | "decrease"): "better" | "worse" | "unclear" {
  const [lo, hi] = ci;
  if (lo > 0) return goal === "increase" ? "better" : "worse";
  if (hi < 0) return goal === "increase" ? "worse" : "better";
  return "unclear";
}

/** One flag rule in words: "5 % of users → v3 (canary)", "experiment v2-vs-v1: v1 70 % / v2 30 %, 80 % of users". */
export function describeRule(rule: FlagRule): string {
  const users = rule.coverage === 1 ? "all users" : `${formatShare(rule.coverage)} of users`;
  if (rule.kind === "force") return `${users.charAt(0).toUpperCase()}${users.slice(1)} → v${rule.version}${rule.coverage < 1 ? " (canary)" : ""}`;
  const split = rule.versions.map((v, i) => `v${v} ${formatShare(rule.weights[i] ?? 0)}`).join(" / ");
  return `experiment ${rule.key}: ${split}, ${users}`;
}

/** The hashing details of a rule, when they are not the defaults: "by company, seed canary". */
export function describeHashing(rule: FlagRule): string {
  return [rule.hashAttribute !== "id" ? `users told apart by ${rule.hashAttribute}` : "", rule.seed !== null ? `seed ${rule.seed}` : ""].filter(Boolean).join(", ");
}

/** Who no rule takes: "Everyone else → v1 (production)". */
export function describeFallback(rules: readonly FlagRule[], production: number | null): string {
  const who = rules.length ? "Everyone else" : "Every user";
  return production === null ? `${who} → nothing: the encoder has no production version` : `${who} → v${production} (production)`;
}

export const RAMP_STATUS_LABEL: Record<RampStatus, string> = { running: "running", paused: "paused", completed: "completed", rolled_back: "rolled back", promoted: "promoted" };

/** The manual actions a ramp's status allows (server/rollout/ramp.ts rampAction checks the same). */
export function rampActionsFor(status: RampStatus): ("pause" | "resume" | "promote" | "rollback")[] {
  return (
    {
      running: ["pause", "promote", "rollback"],
      paused: ["resume", "promote", "rollback"],
      completed: ["promote", "rollback"],
      rolled_back: [],
      promoted: [],
    } as const
  )[status].slice();
}

/** Whether a ramp holds the deployment (one in progress: a new one cannot start). */
export const rampInProgress = (status: RampStatus) => status === "running" || status === "paused";

/** How far along each step is: done (ticked), current (highlighted), or to come. */
export function stepStates(steps: readonly RampStep[], stepIndex: number, status: RampStatus): ("done" | "current" | "todo")[] {
  const finished = status === "completed" || status === "promoted";
  return steps.map((_, i) => (i < stepIndex || (finished && i === stepIndex) ? "done" : i === stepIndex ? "current" : "todo"));
}

/** "10, 50, 100" (percents) → steps; what is not a number stays NaN, for the server to name. */
export function parseSteps(text: string, minMinutes: number, minUsers: number): RampStep[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((p) => ({ share: Number(p.replace(/%$/, "")) / 100, minMinutes, minUsers }));
}

/** A ramp's guardrails as set: "error rate ≤ 1 %, p99 ≤ 2,000 ms, complaints not significantly worse". */
export function describeGuardrails(g: RampGuardrails): string {
  const parts = [
    g.maxErrorRate !== null ? `error rate ≤ ${formatShare(g.maxErrorRate)}` : "",
    g.maxP99Ms !== null ? `p99 ≤ ${formatNumber(g.maxP99Ms)} ms` : "",
    g.metrics.length ? `${g.metrics.join(", ")} not significantly worse` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "none";
}

/** A guardrail's reading as its figure reads: a rate in %, a latency in ms, a metric's lift. */
export function formatCheckValue(check: Pick<RampCheck, "guardrail" | "value">): string {
  if (check.value === null) return "—";
  if (check.guardrail === "error rate") return formatShare(check.value);
  if (check.guardrail.startsWith("p99")) return formatMs(check.value);
  return `${formatLift(check.value)} lift`;
}

/** A metric's mean per user: a proportion as the share of users, a mean as the number. */
export function formatMean(kind: "mean" | "proportion", mean: number): string {
  return kind === "proportion" ? formatShare(mean) : formatNumber(mean);
}

export interface ShadowPoint {
  at: string;
  mirrored: number;
  cosineMean: number | null;
  neighbourOverlap: number | null;
  p99Ms: number | null;
}

export const SHADOW_COLORS = { cosine: "#0969da", overlap: "#8250df", p99: "#bf8700" };

/** The shadow's two charts over its per-minute series: agreement (cosine mean, neighbour overlap) and the candidate's p99. */
export function shadowCharts(series: readonly ShadowPoint[]): { agreement: { data: unknown[]; layout: Record<string, unknown> }; latency: { data: unknown[]; layout: Record<string, unknown> } } {
  const x = series.map((p) => p.at);
  const mode = series.length < 60 ? "lines+markers" : "lines";
  // a minute either side: one minute of data still reads as a minute, not as milliseconds
  const [first, last] = series.length ? [Date.parse(series[0].at) - 60_000, Date.parse(series[series.length - 1].at) + 60_000] : [0, 0];
  const range = series.length ? [new Date(first).toISOString(), new Date(last).toISOString()] : undefined;
  // a few minutes: a tick a minute (plotly would tick every 30 s, and label each minute twice)
  const ticks = series.length && last - first <= 12 * 60_000 ? { dtick: 60_000 } : {};
  const line = (name: string, y: (number | null)[], color: string, unit = "", symbol = "circle") => ({
    type: "scatter",
    mode,
    name,
    x,
    y,
    connectgaps: false,
    line: { width: 1.5, color },
    marker: { size: symbol === "circle" ? 5 : 9, color, symbol },
    hovertemplate: `%{x|%Y-%m-%d %H:%M} UTC<br>${name}: %{y:.4g}${unit}<extra></extra>`,
  });
  const title = (text: string) => ({ text, standoff: 4, font: { size: 11 } });
  const base = (yTitle: string, extra: Record<string, unknown> = {}) => ({
    margin: { l: 50, r: 10, t: 6, b: 36 },
    xaxis: { title: title("minute (UTC)"), type: "date", tickformat: "%H:%M", hoverformat: "%Y-%m-%d %H:%M", ...(range ? { range } : {}), ...ticks, zeroline: false, automargin: true },
    yaxis: { title: title(yTitle), zeroline: false, automargin: true, ...extra },
    hovermode: "closest",
    uirevision: yTitle,
  });
  return {
    agreement: {
      // the overlap's open rings stay visible over the cosine's dots where both are 1
      data: [line("cosine mean", series.map((p) => p.cosineMean), SHADOW_COLORS.cosine), line("neighbour overlap", series.map((p) => p.neighbourOverlap), SHADOW_COLORS.overlap, "", "circle-open")],
      layout: { ...base("agreement", { range: [0, 1.05] }), showlegend: true, legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", font: { size: 11 } }, margin: { l: 50, r: 10, t: 24, b: 36 } },
    },
    latency: { data: [line("candidate p99", series.map((p) => p.p99Ms), SHADOW_COLORS.p99, " ms")], layout: { ...base("p99 (ms)", { rangemode: "tozero" }), showlegend: false } },
  };
}

export interface LiftPointView {
  at: string;
  users: number;
  variations: { variationId: number; lift: number; ci: [number, number]; sequentialCi: [number, number] | null }[];
}

const LIFT_COLORS = ["#1f6feb", "#8250df", "#bf8700", "#1a7f37"];

/**
 * The cumulative lift of each treatment over the experiment's life: the lift as a line, its 95 % CI
 * as a band, the always-valid sequential CI as dashed edges, and 0 (no effect) as a grey line.
 */
export function liftChart(points: readonly LiftPointView[]): { data: unknown[]; layout: Record<string, unknown> } {
  const x = points.map((p) => p.at);
  const ids = [...new Set(points.flatMap((p) => p.variations.map((v) => v.variationId)))];
  const data: unknown[] = [];
  ids.forEach((id, k) => {
    const color = LIFT_COLORS[k % LIFT_COLORS.length];
    const of = (f: (v: LiftPointView["variations"][number]) => number | null) => points.map((p) => {
      const v = p.variations.find((w) => w.variationId === id);
      return v ? f(v) : null;
    });
    const pct = (v: number | null) => (v === null ? null : v * 100);
    data.push(
      { type: "scatter", mode: "lines", x, y: of((v) => pct(v.ci[0])), line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", x, y: of((v) => pct(v.ci[1])), line: { width: 0 }, fill: "tonexty", fillcolor: `${color}26`, name: `variation ${id}: 95 % CI`, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", x, y: of((v) => pct(v.sequentialCi?.[0] ?? null)), line: { width: 1, dash: "dash", color }, name: `variation ${id}: sequential CI`, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", x, y: of((v) => pct(v.sequentialCi?.[1] ?? null)), line: { width: 1, dash: "dash", color }, showlegend: false, hoverinfo: "skip" },
      { type: "scatter", mode: "lines+markers", x, y: of((v) => pct(v.lift)), line: { width: 2, color }, marker: { size: 4, color }, name: `variation ${id}: lift`, hovertemplate: "%{x|%Y-%m-%d %H:%M} UTC<br>lift %{y:.2f} %<extra></extra>" },
    );
  });
  return {
    data,
    layout: {
      margin: { l: 56, r: 10, t: 24, b: 36 },
      xaxis: { type: "date", title: { text: "time (UTC)", font: { size: 11 } }, automargin: true },
      yaxis: { title: { text: "lift vs control (%)", font: { size: 11 } }, zeroline: true, zerolinecolor: "#8c959f", zerolinewidth: 1.5, automargin: true },
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", font: { size: 11 } },
      hovermode: "closest",
    },
  };
}
