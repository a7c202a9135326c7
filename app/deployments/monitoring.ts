/**
 * Addresses, wording and chart drawing shared by the deployment and drift-monitor pages
 * (/deployments/…). Pure: client components and server pages both use it.
 */
import type { MonitorReference, MonitorWindow } from "@/drizzle/schema";
import { formatDate, formatNumber } from "@/app/lib/format";

export const deploymentsHref = "/deployments";
export const deploymentHref = (name: string) => `${deploymentsHref}/${encodeURIComponent(name)}`;
/** Where alert emails point (server/alerts/email.ts monitorPath says the same). */
export const monitorHref = (deployment: string, id: number) => `${deploymentHref(deployment)}/monitors/${id}`;

export function describeReference(r: MonitorReference): string {
  return r.kind === "dataset" ? `${formatNumber(r.size)} samples of ${r.data} (${r.split})` : `traffic ${formatDate(r.from)} → ${formatDate(r.to)} UTC`;
}

export function describeWindow(w: MonitorWindow): string {
  if (w.kind === "count") return `every ${formatNumber(w.size)} samples`;
  return w.minutes % 60 === 0 ? `every ${formatNumber(w.minutes / 60)} h` : `every ${formatNumber(w.minutes)} min`;
}

export function describeSchedule(cron: string | null): string {
  return cron === null ? "on demand only" : `cron ${cron} (UTC)`;
}

/** "< 0.05", "> 0.55": the side of the threshold that breaches. */
export function describeThreshold(direction: "above" | "below", threshold: number): string {
  return `${direction === "above" ? ">" : "<"} ${formatNumber(threshold)}`;
}

export const WINDOW_STATUS_LABEL = { ok: "ok", drift: "drift", too_few_samples: "too few samples" } as const;
export type WindowStatus = keyof typeof WINDOW_STATUS_LABEL;

/** One checked window as the charts need it (dates as ISO text: it crosses to the browser). */
export interface ChartWindow {
  windowIndex: number;
  windowStart: string;
  windowEnd: string;
  status: WindowStatus;
  figures: Record<string, number>;
}

export interface ChartFigure {
  name: string;
  describe: string;
  verdict?: { direction: "above" | "below"; threshold: number };
  levels?: number[];
}

export interface ChartRule {
  name: string;
  figure: string;
  direction: "above" | "below";
  threshold: number;
  enabled: boolean;
}

export type ChartX = "window" | "time";

export const CHART_COLORS = { line: "#0969da", drift: "#cf222e", threshold: "#cf222e", level: "#8c959f", rule: "#8250df", tooFew: "#8c959f" };

/**
 * One figure over the monitor's windows: the figure per window (gaps where a window had too few
 * samples, which are shaded grey), drift windows as red markers, and as horizontal lines its
 * threshold (dashed), its reference levels (dotted) and the enabled alert rules on it (dash-dot).
 */
export function figureChart(figure: ChartFigure, windows: ChartWindow[], rules: ChartRule[], x: ChartX): { data: unknown[]; layout: Record<string, unknown> } {
  const xOf = (w: ChartWindow) => (x === "window" ? w.windowIndex : w.windowEnd);
  const valueOf = (w: ChartWindow) => {
    const v = w.figures[figure.name];
    return w.status === "too_few_samples" || v === undefined || !Number.isFinite(v) ? null : v;
  };
  const hover = (what: string) => `window %{customdata[0]}<br>ended %{customdata[1]}<br>${figure.name}: %{y:.4g}${what}<extra></extra>`;
  const custom = (w: ChartWindow) => [w.windowIndex, formatDate(w.windowEnd)];
  const drift = windows.filter((w) => w.status === "drift" && valueOf(w) !== null);
  const data: unknown[] = [
    {
      type: "scatter",
      mode: windows.length < 80 ? "lines+markers" : "lines",
      name: figure.name,
      x: windows.map(xOf),
      y: windows.map(valueOf),
      customdata: windows.map(custom),
      connectgaps: false,
      line: { width: 1.5, color: CHART_COLORS.line },
      marker: { size: 5, color: CHART_COLORS.line },
      hovertemplate: hover(""),
    },
    {
      type: "scatter",
      mode: "markers",
      name: "drift windows",
      x: drift.map(xOf),
      y: drift.map(valueOf),
      customdata: drift.map(custom),
      marker: { size: 10, color: CHART_COLORS.drift, symbol: "circle", line: { width: 1, color: "white" } },
      hovertemplate: hover("<br><b>drift</b>"),
    },
  ];

  // the figure's own levels are labelled at the right, rules at the left: a rule at the figure's threshold stays readable
  const line = (y: number, color: string, dash: string, text: string, side: "left" | "right" = "right") => ({
    shape: { type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: y, y1: y, line: { color, width: 1.5, dash } },
    annotation: { xref: "paper", x: side === "right" ? 1 : 0, xanchor: side, yref: "y", y, yanchor: "bottom", text, showarrow: false, font: { size: 10, color } },
  });
  const lines = [
    ...(figure.verdict ? [line(figure.verdict.threshold, CHART_COLORS.threshold, "dash", `threshold ${describeThreshold(figure.verdict.direction, figure.verdict.threshold)}`)] : []),
    ...(figure.levels ?? []).map((level) => line(level, CHART_COLORS.level, "dot", formatNumber(level))),
    ...rules.filter((r) => r.figure === figure.name && r.enabled).map((r) => line(r.threshold, CHART_COLORS.rule, "dashdot", `rule ${r.name} ${describeThreshold(r.direction, r.threshold)}`, "left")),
  ];
  // windows that were not tested: a grey band over their span
  const bands = windows
    .filter((w) => w.status === "too_few_samples")
    .map((w) => ({
      type: "rect",
      xref: "x",
      yref: "paper",
      x0: x === "window" ? w.windowIndex - 0.45 : w.windowStart,
      x1: x === "window" ? w.windowIndex + 0.45 : w.windowEnd,
      y0: 0,
      y1: 1,
      fillcolor: CHART_COLORS.tooFew,
      opacity: 0.18,
      line: { width: 0 },
      layer: "below",
    }));
  const title = (text: string) => ({ text, standoff: 4, font: { size: 11 } });
  const layout = {
    margin: { l: 50, r: 10, t: 6, b: 36 },
    xaxis: {
      title: title(x === "window" ? "window" : "window end (UTC)"),
      zeroline: false,
      automargin: true,
      ...(x === "window" ? { tickformat: "d", ...(windows.length <= 20 ? { dtick: 1 } : {}) } : { type: "date", hoverformat: "%Y-%m-%d %H:%M:%S" }),
    },
    yaxis: { title: title(figure.name), zeroline: false, automargin: true },
    shapes: [...bands, ...lines.map((l) => l.shape)],
    annotations: lines.map((l) => l.annotation),
    showlegend: false,
    hovermode: "closest",
    uirevision: `${figure.name}/${x}`,
  };
  return { data, layout };
}
