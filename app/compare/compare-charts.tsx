"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import type { CompareRun, CompareSeries } from "./compare-view";
import { smoothEma, xValues, type XAxis } from "./series-math";

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
  // "hours since start" counts from each run's first logged point over all its series
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

  useEffect(() => {
    if (!visible || !series || !plot.current) return;
    const el = plot.current;
    const names = new Map(runs.map((r) => [r.id, r.name]));
    const traces = series.flatMap((s) => {
      const color = colors.get(s.runId);
      const x = xValues(settings.xAxis, s.steps, s.wallTimes, runStart.get(s.runId) ?? 0);
      // NaN and ±Infinity are drawn as gaps
      const y = s.values.map((v) => (Number.isFinite(v) ? v : null));
      const name = names.get(s.runId) ?? String(s.runId);
      const mode = s.steps.length < 30 ? "lines+markers" : "lines";
      const line = { x, type: "scatter", mode, connectgaps: false, name, legendgroup: String(s.runId), hovertemplate: `${name}<br>%{x}: %{y:.4g}<extra></extra>` };
      if (settings.smoothing <= 0) return [{ ...line, y, line: { width: 1.5, color } }];
      const smoothed = smoothEma(s.values, settings.smoothing).map((v) => (Number.isFinite(v) ? v : null));
      return [
        { ...line, y, line: { width: 1, color }, opacity: 0.25, hoverinfo: "skip", hovertemplate: undefined, showlegend: false },
        { ...line, y: smoothed, line: { width: 1.8, color } },
      ];
    });
    const xTitle = settings.xAxis === "step" ? "step" : settings.xAxis === "relative" ? "hours since the run's first point" : "wall time";
    let cancelled = false;
    import("plotly.js-basic-dist-min").then(async (Plotly) => {
      if (cancelled) return;
      await Plotly.react(
        el,
        traces,
        {
          margin: { l: 54, r: 10, t: 8, b: 40 },
          xaxis: { title: { text: xTitle }, zeroline: false, type: settings.xAxis === "wall" ? "date" : "linear" },
          // on a log axis, label 1-2-5 ticks rather than every digit
          yaxis: { zeroline: false, type: settings.logY ? "log" : "linear", exponentformat: "e", ...(settings.logY ? { dtick: "D2", tickformat: "~g" } : {}) },
          autosize: true,
          showlegend: false,
          hovermode: "closest",
          uirevision: `${metricKey}-${settings.xAxis}-${settings.logY}`,
        },
        { displaylogo: false, responsive: true },
      );
      if (!cancelled) setDrawn(true);
    });
    return () => {
      cancelled = true;
    };
  }, [visible, series, runs, colors, runStart, settings.xAxis, settings.smoothing, settings.logY, metricKey]);

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
      {!ready && <div className="chart-placeholder">{series ? "no run logged this metric" : "loading…"}</div>}
      <div ref={plot} className="chart-body" style={{ display: ready ? "block" : "none" }} />
    </div>
  );
}
