"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { valueAxis } from "@/app/lib/chart-axes";
import { isDrawable } from "@/app/lib/chart-values";
import { defaultParamMetric, paramAxis, parcoordsTrace } from "@/app/lib/parcoords";
import type { CompareRun, SweepObjective } from "./compare-view";
import { differingParams } from "./series-math";

/** At most this many params become axes of the parallel-coordinates chart (the ones that differ first). */
const MAX_AXES = 10;

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

/**
 * `objective`: the sweep's metric and goal when the runs are one sweep's trials; the charts open on
 * it, else on a metric that differs across the runs.
 */
export function ParamPlots({
  runs,
  metricKeys,
  colors,
  objective,
}: {
  runs: CompareRun[];
  metricKeys: string[];
  colors: Map<number, string>;
  objective: SweepObjective | null;
}) {
  const allParams = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort(), [runs]);
  const differing = useMemo(() => differingParams(runs), [runs]);
  const [metric, setMetric] = useState(() => defaultParamMetric(runs, metricKeys, objective?.metric));
  const [xParam, setXParam] = useState(differing[0] ?? allParams[0] ?? "");
  // only runs that logged a drawable value of the metric can be placed on its axis
  const placed = useMemo(() => runs.filter((r) => isDrawable(r.metrics[metric]?.last)), [runs, metric]);
  const goal = objective?.metric === metric ? objective.goal : undefined;
  const yAxis = valueAxis(metric);

  const parcoords = useMemo(() => {
    if (!metric) return null;
    const rows = runs.map((r) => ({ params: r.params, value: r.metrics[metric]?.last ?? null }));
    const trace = parcoordsTrace(rows, (differing.length ? differing : allParams).slice(0, MAX_AXES), metric, goal);
    return trace && [trace];
  }, [runs, metric, differing, allParams, goal]);

  const scatter = useMemo(() => {
    if (!metric || !xParam || placed.length === 0) return null;
    const x = paramAxis(xParam, placed.map((r) => r.params[xParam] ?? null));
    return {
      data: [
        {
          type: "scatter",
          mode: "markers",
          x: x.values,
          y: placed.map((r) => r.metrics[metric].last),
          text: placed.map((r) => r.name),
          // the param as logged: x may be its log10 or a category's index
          customdata: placed.map((r) => String(r.params[xParam] ?? "null")),
          marker: { size: 10, color: placed.map((r) => colors.get(r.id)), line: { width: 1, color: "#fff" } },
          hovertemplate: `%{text}<br>${xParam}: %{customdata}<br>${metric}: %{y:${yAxis.hoverformat}}<extra></extra>`,
        },
      ],
      xaxis: { title: { text: x.label }, zeroline: false, ...("tickvals" in x ? { tickvals: x.tickvals, ticktext: x.ticktext } : {}) },
    };
  }, [placed, metric, xParam, colors, yAxis.hoverformat]);

  const parRef = usePlot(parcoords, { margin: { l: 70, r: 70, t: 56, b: 24 }, autosize: true }, loadFull);
  const scatterRef = usePlot(scatter?.data ?? null, {
    margin: { l: 60, r: 10, t: 10, b: 44 },
    xaxis: scatter?.xaxis,
    yaxis: { title: { text: yAxis.title }, zeroline: false, ...(yAxis.tickformat ? { tickformat: yAxis.tickformat } : {}) },
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
            <small>
              {differing.length ? `${Math.min(differing.length, MAX_AXES)} differing params` : "all params"} → {metric}
              {goal ? ` (sweep objective: ${goal})` : ""}
            </small>
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
