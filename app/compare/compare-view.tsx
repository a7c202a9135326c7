"use client";

import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { formatValue } from "@/app/lib/format";
import { StatusBadge } from "@/app/components/status-badge";
import { CompareCharts } from "./compare-charts";
import { ParamPlots } from "./param-plots";
import type { XAxis } from "@/app/lib/chart-axes";
import type { ParamValue } from "@/app/lib/parcoords";
import { differingParams, runColor } from "./series-math";

export type CompareSeries = Awaited<ReturnType<typeof trpc.metrics.compare.query>>["series"][number];

export interface CompareRun {
  id: number;
  name: string;
  status: string;
  params: Record<string, ParamValue>;
  metrics: Record<string, { last: number | null; min: number | null; max: number | null }>;
}

/** Points shared out over all series of one request, so 20 runs × 30 metrics stays a small payload. */
const POINT_BUDGET = 120_000;

export type SweepObjective = { metric: string; goal: "minimize" | "maximize" };

export function CompareView({
  runs,
  metricKeys,
  experiments,
  objective,
}: {
  runs: CompareRun[];
  metricKeys: string[];
  experiments: { id: number; name: string }[];
  /** the sweep's objective when the runs are one sweep's trials */
  objective: SweepObjective | null;
}) {
  const [series, setSeries] = useState<CompareSeries[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [xAxis, setXAxis] = useState<XAxis>("step");
  const [smoothing, setSmoothing] = useState(0);
  const [logY, setLogY] = useState(false);
  const [keyFilter, setKeyFilter] = useState("");
  const colors = useMemo(() => new Map(runs.map((r, i) => [r.id, runColor(i)])), [runs]);

  useEffect(() => {
    let cancelled = false;
    const pairs = Math.max(1, runs.length * metricKeys.length);
    const maxPoints = Math.max(50, Math.min(1000, Math.floor(POINT_BUDGET / pairs)));
    trpc.metrics.compare
      .query({ runIds: runs.map((r) => r.id), maxPoints })
      .then((data) => !cancelled && setSeries(data.series))
      .catch((e: Error) => !cancelled && setError(e.message));
    // load plotly while the series are on their way (after the request is sent: parsing it blocks the page)
    setTimeout(() => void import("plotly.js-basic-dist-min"), 0);
    return () => {
      cancelled = true;
    };
  }, [runs, metricKeys.length]);

  const shownKeys = metricKeys.filter((k) => k.toLowerCase().includes(keyFilter.toLowerCase()));
  return (
    <>
      <p className="subtitle">
        {experiments.map((e, i) => (
          <span key={e.id}>
            {i > 0 && ", "}
            <Link href={`/experiments/${e.id}`} prefetch={false}>{e.name}</Link>
          </span>
        ))}{" "}
        / compare
      </p>
      <h1>
        Compare {runs.length} run{runs.length === 1 ? "" : "s"}
      </h1>
      <ul className="run-legend" data-testid="run-legend">
        {runs.map((r) => (
          <li key={r.id}>
            <span className="swatch" style={{ background: colors.get(r.id) }} />
            <Link href={`/runs/${r.id}`} prefetch={false}>{r.name}</Link> <StatusBadge status={r.status} />
          </li>
        ))}
      </ul>

      <h2>Metrics</h2>
      <div className="compare-controls">
        <label>
          x axis{" "}
          <select value={xAxis} onChange={(e) => setXAxis(e.target.value as XAxis)} data-testid="x-axis">
            <option value="step">step</option>
            <option value="relative">time since start</option>
            <option value="wall">wall time</option>
          </select>
        </label>
        <label className="smoothing">
          smoothing{" "}
          <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="smoothing" />
          <output>{smoothing.toFixed(2)}</output>
        </label>
        <label>
          <input type="checkbox" checked={logY} onChange={(e) => setLogY(e.target.checked)} data-testid="log-y" /> log y
        </label>
        {metricKeys.length > 6 && (
          <input className="key-filter" placeholder="filter metrics" value={keyFilter} onChange={(e) => setKeyFilter(e.target.value)} aria-label="Filter metrics" />
        )}
      </div>
      {error ? (
        <div className="error-box">{error}</div>
      ) : metricKeys.length === 0 ? (
        <div className="empty">These runs have logged no metrics.</div>
      ) : (
        <CompareCharts keys={shownKeys} runs={runs} colors={colors} series={series} xAxis={xAxis} smoothing={smoothing} logY={logY} />
      )}

      <ParamDiff runs={runs} colors={colors} />
      <ParamPlots runs={runs} metricKeys={metricKeys} colors={colors} objective={objective} />
    </>
  );
}

function ParamDiff({ runs, colors }: { runs: CompareRun[]; colors: Map<number, string> }) {
  const [showAll, setShowAll] = useState(false);
  const allKeys = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort(), [runs]);
  const differing = useMemo(() => differingParams(runs), [runs]);
  const keys = showAll ? allKeys : differing;
  return (
    <section>
      <div className="section-head">
        <h2>Parameters</h2>
        <span className="muted">
          {differing.length} of {allKeys.length} differ
        </span>
        {allKeys.length > differing.length && (
          <label>
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show all
          </label>
        )}
      </div>
      {keys.length === 0 ? (
        <div className="empty">{allKeys.length === 0 ? "No params logged." : "All runs have the same params."}</div>
      ) : (
        <div className="table-scroll">
          <table className="grid param-diff" data-testid="param-diff">
            <thead>
              <tr>
                <th>param</th>
                {runs.map((r) => (
                  <th key={r.id}>
                    <span className="swatch" style={{ background: colors.get(r.id) }} />
                    {r.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k} className={differing.includes(k) ? "differs" : undefined}>
                  <td>{k}</td>
                  {runs.map((r) => (
                    <td key={r.id}>{k in r.params ? formatValue(r.params[k]) : <span className="muted">absent</span>}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
