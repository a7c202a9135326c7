"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { formatValue } from "@/app/lib/format";
import { runSignature, isLive } from "@/app/lib/run-signature";
import { Plot } from "./plot";

type Series = Awaited<ReturnType<typeof trpc.metrics.series.query>>;
type MetricSummary = Awaited<ReturnType<typeof trpc.runs.get.query>>["metrics"][number];

const POLL_MS = 2000;
const MAX_POINTS = 1000;
const HEALTH_PREFIX = "health/";
const SYSTEM_PREFIX = "system/";

/** What each representation-health metric means (workers/engine/health.ts computes them), collapse signals first. */
const HEALTH_HINTS: Record<string, string> = {
  "health/std_ratio": "per-dimension std × √d: ≈ 1 spread out, → 0 collapsed",
  "health/effective_rank": "dimensions in use (RankMe): higher is better, 1 = collapsed",
  "health/uniformity": "spread on the sphere: more negative is better, → 0 collapsed",
  "health/alignment": "distance between two views of a sample: lower is better",
};
const HEALTH_ORDER = Object.keys(HEALTH_HINTS);
const healthRank = (key: string) => (HEALTH_ORDER.includes(key) ? HEALTH_ORDER.indexOf(key) : HEALTH_ORDER.length);

/**
 * The live part of a run page: charts of every metric (representation health, training, system),
 * polled every 2 s while the run is queued or running. Each chart refetches only when its metric
 * grew; anything else that changed (status, tags, artifacts) re-renders the server page.
 */
export function RunCharts({
  runId,
  metrics: initialMetrics,
  live: initiallyLive,
  signature,
  collapseWarning,
}: {
  runId: number;
  live: boolean;
  metrics: MetricSummary[];
  /** runSignature() of the server-rendered run: a change makes the page refresh */
  signature: string;
  collapseWarning: string | null;
}) {
  const router = useRouter();
  const [metrics, setMetrics] = useState(initialMetrics);
  const [live, setLive] = useState(initiallyLive);
  const lastSignature = useRef(signature);
  lastSignature.current = signature;

  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const poll = async () => {
      try {
        const { run, metrics: latest, artifacts } = await trpc.runs.get.query({ id: runId });
        if (stopped) return;
        setMetrics(latest);
        const now = runSignature(run, artifacts);
        if (now !== lastSignature.current) {
          lastSignature.current = now;
          router.refresh();
        }
        if (!isLive(run.status)) return setLive(false);
      } catch {
        /* a missed poll is retried on the next tick */
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId, live, router]);

  const health = metrics.filter((m) => m.key.startsWith(HEALTH_PREFIX)).sort((a, b) => healthRank(a.key) - healthRank(b.key));
  const system = metrics.filter((m) => m.key.startsWith(SYSTEM_PREFIX));
  const training = metrics.filter((m) => !m.key.startsWith(HEALTH_PREFIX) && !m.key.startsWith(SYSTEM_PREFIX));
  return (
    <div data-testid="run-charts" data-live={live ? "yes" : "no"}>
      <section>
        <h2>Metrics {live && <span className="live-dot" title="updating every 2 s">live</span>}</h2>
        {training.length === 0 ? (
          <div className="empty chart-sized">{live ? "Waiting for the first metrics…" : "No metrics logged."}</div>
        ) : (
          <div className="charts">
            {training.map((m) => (
              <MetricChart key={m.key} runId={runId} metric={m} />
            ))}
          </div>
        )}
      </section>
      {(health.length > 0 || collapseWarning) && (
        <section id="health" data-testid="health">
          <h2>Representation health</h2>
          {collapseWarning && (
            <div className="collapse-banner" role="alert" data-testid="collapse-warning">
              <strong>Representation collapse</strong>
              <span>{collapseWarning.replace(/^collapse:\s*/, "")}</span>
            </div>
          )}
          <div className="charts charts-small">
            {health.map((m) => (
              <MetricChart key={m.key} runId={runId} metric={m} hint={HEALTH_HINTS[m.key]} small />
            ))}
          </div>
        </section>
      )}
      {system.length > 0 && (
        <section>
          <h2>System</h2>
          <div className="charts charts-small">
            {system.map((m) => (
              <MetricChart key={m.key} runId={runId} metric={m} small />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

function MetricChart({ runId, metric, hint, small = false }: { runId: number; metric: MetricSummary; hint?: string; small?: boolean }) {
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { key, lastStep, lastValue } = metric;

  const seriesRef = useRef<Series | null>(null);
  seriesRef.current = series;

  // Fetch only when the metric grew or its last point changed. While the whole series fits in
  // MAX_POINTS only the new tail is fetched and appended; once it is downsampled, M4 buckets shift,
  // so the downsampled series is fetched again.
  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<Series> => {
      const prev = seriesRef.current;
      const prevLast = prev?.points.at(-1);
      if (prev && prevLast && !prev.downsampled && lastStep !== null && lastStep > prevLast.step) {
        const tail = await trpc.metrics.series.query({ runId, key, maxPoints: MAX_POINTS, stepFrom: prevLast.step + 1 });
        if (!tail.downsampled && prev.total + tail.total <= MAX_POINTS) return { ...prev, total: prev.total + tail.total, points: [...prev.points, ...tail.points] };
      }
      return trpc.metrics.series.query({ runId, key, maxPoints: MAX_POINTS });
    };
    load()
      .then((s) => {
        if (cancelled) return;
        setSeries(s);
        setError(null);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [runId, key, lastStep, lastValue]);

  const data = useMemo(
    () =>
      series && [
        {
          x: series.points.map((p) => p.step),
          // NaN and ±Infinity are drawn as gaps
          y: series.points.map((p) => (Number.isFinite(p.value) ? p.value : null)),
          type: "scatter",
          mode: series.points.length < 50 ? "lines+markers" : "lines",
          connectgaps: false,
          line: { width: 1.5, color: key.startsWith(HEALTH_PREFIX) ? "#8250df" : "#0969da" },
          marker: { size: 4 },
          name: key,
        },
      ],
    [series, key],
  );
  const layout = useMemo(
    () => ({
      margin: { l: 50, r: 10, t: 6, b: 32 },
      xaxis: { title: { text: "step", standoff: 4 }, zeroline: false },
      yaxis: { zeroline: false },
      showlegend: false,
      uirevision: key,
    }),
    [key],
  );

  return (
    <div className={small ? "chart chart-small" : "chart"} data-testid={`chart-${key}`}>
      <div className="chart-title">
        <span>{key}</span>
        <small data-testid="chart-count">
          {series ? `${series.total.toLocaleString("en-US")} points${series.downsampled ? ` · M4 ${series.points.length}` : ""} · last ${formatValue(lastValue)}` : ""}
        </small>
      </div>
      {hint && (
        <div className="chart-hint" title={hint}>
          {hint}
        </div>
      )}
      {error && <div className="error-box">{error}</div>}
      {data ? <Plot data={data} layout={layout} className="chart-body" /> : !error && <div className="chart-placeholder">loading…</div>}
    </div>
  );
}
