"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { isPerSeedMetric, isSystemMetric, relativeUnit, valueAxis, xAxisTitle, xValues, type XAxis } from "@/app/lib/chart-axes";
import { describeHidden, drawableValues, noneHidden } from "@/app/lib/chart-values";
import type { CompareRun, CompareSeries } from "./compare-view";
import { smoothEma } from "./series-math";

interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  logY: boolean;
}

/** One chart per metric with every run overlaid; charts draw when they scroll into view. */
export function CompareCharts(props: {
  keys: string[];
  runs: CompareRun[];
  colors: Map<number, string>;
  series: CompareSeries[] | null;
  xAxis: XAxis;
  smoothing: number;
  logY: boolean;
}) {
  const { keys, runs, colors, series, xAxis, smoothing, logY } = props;
  const byKey = useMemo(() => {
    const map = new Map<string, CompareSeries[]>();
    for (const s of series ?? []) map.set(s.key, [...(map.get(s.key) ?? []), s]);
    return map;
  }, [series]);
  // "time since start" counts from each run's first logged point over all its series
  const runStart = useMemo(() => {
    const start = new Map<number, number>();
    for (const s of series ?? []) if (s.wallTimes.length) start.set(s.runId, Math.min(start.get(s.runId) ?? Infinity, s.wallTimes[0]));
    return start;
  }, [series]);
  if (keys.length === 0) return <div className="empty">No metric matches the filter.</div>;
  return (
    <div className="charts compare-charts">
      {keys.map((k) => (
        <CompareChart
          key={k}
          metricKey={k}
          series={series ? (byKey.get(k) ?? []) : null}
          runs={runs}
          colors={colors}
          runStart={runStart}
          settings={{ xAxis, smoothing, logY }}
        />
      ))}
    </div>
  );
}

function useVisible(ref: React.RefObject<HTMLElement | null>): boolean {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || visible) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: "300px" });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, visible]);
  return visible;
}

function CompareChart(props: {
  metricKey: string;
  series: CompareSeries[] | null;
  runs: CompareRun[];
  colors: Map<number, string>;
  runStart: Map<number, number>;
  settings: ChartSettings;
}) {
  const { metricKey, series, runs, colors, runStart, settings } = props;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<HTMLDivElement>(null);
  const visible = useVisible(box);
  const [drawn, setDrawn] = useState(false);

  // System samples' "step" is seconds since the run was created: on the step setting they are drawn against time.
  const xAxis: XAxis = isSystemMetric(metricKey) && settings.xAxis === "step" ? "relative" : settings.xAxis;
  const perSeed = isPerSeedMetric(metricKey);

  const built = useMemo(() => {
    if (!series) return null;
    const names = new Map(runs.map((r) => [r.id, r.name]));
    const span = Math.max(0, ...series.map((s) => (s.wallTimes.at(-1) ?? 0) - (runStart.get(s.runId) ?? 0)));
    const unit = relativeUnit(span);
    const xTitle = xAxisTitle(metricKey, xAxis, unit.label);
    const v = valueAxis(metricKey);
    const hidden = noneHidden();
    const traces = series.flatMap((s) => {
      const color = colors.get(s.runId);
      const x = xValues(xAxis, s.steps, s.wallTimes, runStart.get(s.runId) ?? 0, unit.ms);
      const { y } = drawableValues(s.values, hidden);
      const name = names.get(s.runId) ?? String(s.runId);
      const mode = perSeed ? "markers" : s.steps.length < 30 ? "lines+markers" : "lines";
      const hovertemplate = `${name}<br>${xTitle} %{x}<br>${v.title}: %{y:${v.hoverformat}}<extra></extra>`;
      const line = { x, type: "scatter", mode, connectgaps: false, name, legendgroup: String(s.runId), hovertemplate, marker: { size: perSeed ? 8 : 6 } };
      if (settings.smoothing <= 0) return [{ ...line, y, line: { width: 1.5, color } }];
      // smoothing skips what is not drawn, so one off-scale value does not poison the average
      const smoothed = smoothEma(y.map((u) => u ?? Number.NaN), settings.smoothing).map((u) => (Number.isFinite(u) ? u : null));
      return [
        { ...line, y, line: { width: 1, color }, opacity: 0.25, hoverinfo: "skip", hovertemplate: undefined, showlegend: false },
        { ...line, y: smoothed, line: { width: 1.8, color } },
      ];
    });
    return { traces, xTitle, v, hiddenNote: describeHidden(hidden) };
  }, [series, runs, colors, runStart, xAxis, perSeed, settings.smoothing, metricKey]);

  useEffect(() => {
    if (!visible || !built || !plot.current) return;
    const el = plot.current;
    const { traces, xTitle, v } = built;
    let cancelled = false;
    import("plotly.js-basic-dist-min").then(async (Plotly) => {
      if (cancelled) return;
      const title = (text: string) => ({ text, standoff: 4, font: { size: 11 } });
      await Plotly.react(
        el,
        traces,
        {
          margin: { l: 54, r: 10, t: 8, b: 40 },
          xaxis: {
            title: title(xTitle),
            zeroline: false,
            automargin: true,
            type: xAxis === "wall" ? "date" : "linear",
            ...(xAxis === "wall" ? { hoverformat: "%Y-%m-%d %H:%M:%S" } : {}),
            ...(perSeed && xAxis === "step" ? { dtick: 1 } : {}),
          },
          // on a log axis, label 1-2-5 ticks rather than every digit
          yaxis: {
            title: title(v.title),
            zeroline: false,
            automargin: true,
            type: settings.logY ? "log" : "linear",
            exponentformat: "e",
            ...(settings.logY ? { dtick: "D2", tickformat: "~g" } : v.tickformat ? { tickformat: v.tickformat } : {}),
          },
          autosize: true,
          showlegend: false,
          hovermode: "closest",
          uirevision: `${metricKey}-${xAxis}-${settings.logY}`,
        },
        { displaylogo: false, responsive: true },
      );
      if (!cancelled) setDrawn(true);
    });
    return () => {
      cancelled = true;
    };
  }, [visible, built, xAxis, perSeed, settings.logY, metricKey]);

  const ready = series !== null && series.length > 0;
  const points = series?.reduce((n, s) => n + s.total, 0) ?? 0;
  const sent = series?.reduce((n, s) => n + s.steps.length, 0) ?? 0;
  return (
    <div className="chart" ref={box} data-testid={`compare-chart-${metricKey}`} data-drawn={drawn ? "true" : undefined}>
      <div className="chart-title">
        <span>{metricKey}</span>
        {series && (
          <small>
            {series.length} run{series.length === 1 ? "" : "s"} · {points.toLocaleString("en-US")} points
            {sent < points ? ` · M4 ${sent.toLocaleString("en-US")}` : ""}
          </small>
        )}
      </div>
      {built?.hiddenNote && (
        <div className="chart-note" data-testid="not-drawn">
          {built.hiddenNote}
        </div>
      )}
      {!ready && <div className="chart-placeholder">{series ? "no run logged this metric" : "loading…"}</div>}
      <div ref={plot} className="chart-body" style={{ display: ready ? "block" : "none" }} />
    </div>
  );
}
