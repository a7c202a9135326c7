"use client";

import { useEffect, useRef, useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

type Series = Awaited<ReturnType<typeof trpc.metrics.series.query>>;

const POLL_MS = 3000;
const MAX_POINTS = 1000;

/** One chart per metric; polls while the run is live so charts grow as it trains. */
export function MetricCharts({ runId, keys: initialKeys, live: initiallyLive }: { runId: number; keys: string[]; live: boolean }) {
  const [keys, setKeys] = useState(initialKeys);
  const [live, setLive] = useState(initiallyLive);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(async () => {
      const { run, metrics } = await trpc.runs.get.query({ id: runId });
      setKeys(metrics.map((m) => m.key));
      setLive(run.status === "running" || run.status === "queued");
      setTick((t) => t + 1);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [runId, live]);

  if (keys.length === 0) return <div className="empty">No metrics logged yet.</div>;
  return (
    <div className="charts">
      {keys.map((k) => (
        <MetricChart key={k} runId={runId} metricKey={k} tick={tick} />
      ))}
    </div>
  );
}

function MetricChart({ runId, metricKey, tick }: { runId: number; metricKey: string; tick: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    trpc.metrics.series
      .query({ runId, key: metricKey, maxPoints: MAX_POINTS })
      .then((s) => !cancelled && setSeries(s))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [runId, metricKey, tick]);

  useEffect(() => {
    if (!series || !ref.current) return;
    const el = ref.current;
    import("plotly.js-dist-min").then((Plotly) => {
      Plotly.react(
        el,
        [
          {
            x: series.points.map((p) => p.step),
            // NaN and ±Infinity are drawn as gaps
            y: series.points.map((p) => (Number.isFinite(p.value) ? p.value : null)),
            type: "scatter",
            mode: series.points.length < 50 ? "lines+markers" : "lines",
            connectgaps: false,
            line: { width: 1.5, color: "#0969da" },
            name: metricKey,
          },
        ],
        {
          margin: { l: 50, r: 10, t: 10, b: 36 },
          xaxis: { title: { text: "step" }, zeroline: false },
          yaxis: { zeroline: false },
          autosize: true,
          showlegend: false,
        },
        { displaylogo: false, responsive: true },
      );
    });
  }, [series, metricKey]);

  return (
    <div className="chart" data-testid={`chart-${metricKey}`}>
      <div className="chart-title">
        <span>{metricKey}</span>
        {series && (
          <small>
            {series.total.toLocaleString("en-US")} points{series.downsampled ? ` · M4 ${series.points.length}` : ""}
          </small>
        )}
      </div>
      {error ? <div className="error-box">{error}</div> : null}
      {!series && !error ? <div className="chart-placeholder">loading…</div> : null}
      <div ref={ref} className="chart-body" style={{ display: series ? "block" : "none" }} />
    </div>
  );
}
