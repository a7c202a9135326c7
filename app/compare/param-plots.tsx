"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import type { CompareRun } from "./compare-view";
import { differingParams, type ParamValue } from "./series-math";

/** At most this many params become axes of the parallel-coordinates chart (the ones that differ first). */
const MAX_AXES = 10;

/** A numeric axis when every value is a number, else a categorical one with labelled ticks. */
function axis(label: string, values: ParamValue[]) {
  if (values.every((v) => typeof v === "number")) return { label, values: values as number[] };
  const categories = [...new Set(values.map((v) => (v === null ? "null" : String(v))))].sort();
  return {
    label,
    values: values.map((v) => categories.indexOf(v === null ? "null" : String(v))),
    tickvals: categories.map((_, i) => i),
    ticktext: categories,
  };
}

type Plotly = { react(el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<void> };

/**
 * Draws into the returned element once it scrolls into view. Parallel coordinates need plotly's
 * full bundle; it loads only then, so the curves above never wait for it.
 */
function usePlot(data: unknown[] | null, layout: object, load: () => Promise<Plotly>) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const layoutKey = JSON.stringify(layout);
  useEffect(() => {
    const el = ref.current;
    if (!el || visible) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: "200px" });
    observer.observe(el.parentElement ?? el);
    return () => observer.disconnect();
  }, [visible]);
  useEffect(() => {
    if (!visible || !data || !ref.current) return;
    const el = ref.current;
    let cancelled = false;
    load().then((Plotly) => {
      if (!cancelled) void Plotly.react(el, data, JSON.parse(layoutKey), { displaylogo: false, responsive: true });
    });
    return () => {
      cancelled = true;
    };
  }, [visible, data, layoutKey, load]);
  return ref;
}

const loadFull = () => import("plotly.js-dist-min");
const loadBasic = () => import("plotly.js-basic-dist-min");

export function ParamPlots({ runs, metricKeys, colors }: { runs: CompareRun[]; metricKeys: string[]; colors: Map<number, string> }) {
  const allParams = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort(), [runs]);
  const differing = useMemo(() => differingParams(runs), [runs]);
  const [metric, setMetric] = useState(metricKeys[0] ?? "");
  const [xParam, setXParam] = useState(differing[0] ?? allParams[0] ?? "");
  // only runs that logged the metric can be placed on its axis
  const placed = useMemo(() => runs.filter((r) => Number.isFinite(r.metrics[metric]?.last ?? Number.NaN)), [runs, metric]);

  const parcoords = useMemo(() => {
    if (!metric || placed.length === 0) return null;
    const metricValues = placed.map((r) => r.metrics[metric].last as number);
    const dims = [
      ...(differing.length ? differing : allParams).slice(0, MAX_AXES).map((k) => axis(k, placed.map((r) => r.params[k] ?? null))),
      { label: metric, values: metricValues },
    ];
    return [
      {
        type: "parcoords",
        line: { color: metricValues, colorscale: "Viridis", showscale: true, colorbar: { title: { text: metric }, thickness: 12 } },
        dimensions: dims,
        labelfont: { size: 12 },
      },
    ];
  }, [placed, metric, differing, allParams]);

  const scatter = useMemo(() => {
    if (!metric || !xParam || placed.length === 0) return null;
    const x = axis(xParam, placed.map((r) => r.params[xParam] ?? null));
    return {
      data: [
        {
          type: "scatter",
          mode: "markers",
          x: x.values,
          y: placed.map((r) => r.metrics[metric].last),
          text: placed.map((r) => r.name),
          marker: { size: 10, color: placed.map((r) => colors.get(r.id)), line: { width: 1, color: "#fff" } },
          hovertemplate: `%{text}<br>${xParam}: %{x}<br>${metric}: %{y:.4g}<extra></extra>`,
        },
      ],
      xaxis: { title: { text: xParam }, zeroline: false, ...("tickvals" in x ? { tickvals: x.tickvals, ticktext: x.ticktext } : {}) },
    };
  }, [placed, metric, xParam, colors]);

  const parRef = usePlot(parcoords, { margin: { l: 70, r: 70, t: 56, b: 24 }, autosize: true }, loadFull);
  const scatterRef = usePlot(scatter?.data ?? null, {
    margin: { l: 60, r: 10, t: 10, b: 44 },
    xaxis: scatter?.xaxis,
    yaxis: { title: { text: metric }, zeroline: false },
    autosize: true,
    showlegend: false,
    hovermode: "closest",
  }, loadBasic);

  if (metricKeys.length === 0 || allParams.length === 0) return null;
  return (
    <section>
      <div className="section-head">
        <h2>Params against a metric</h2>
        <label>
          metric{" "}
          <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="param-metric">
            {metricKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <span className="muted">latest value · {placed.length} of {runs.length} runs logged it</span>
      </div>
      <div className="param-plots">
        <div className="chart" data-testid="parallel-coordinates">
          <div className="chart-title">
            <span>Parallel coordinates</span>
            <small>{differing.length ? `${Math.min(differing.length, MAX_AXES)} differing params` : "all params"} → {metric}</small>
          </div>
          {placed.length === 0 && <div className="chart-placeholder">no run logged {metric}</div>}
          <div ref={parRef} className="chart-body" style={{ display: placed.length ? "block" : "none" }} />
        </div>
        <div className="chart" data-testid="param-scatter">
          <div className="chart-title">
            <label>
              <select value={xParam} onChange={(e) => setXParam(e.target.value)} aria-label="Param on the x axis">
                {allParams.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>{" "}
              vs {metric}
            </label>
          </div>
          {placed.length === 0 && <div className="chart-placeholder">no run logged {metric}</div>}
          <div ref={scatterRef} className="chart-body" style={{ display: placed.length ? "block" : "none" }} />
        </div>
      </div>
    </section>
  );
}
