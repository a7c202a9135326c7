"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { formatValue } from "@/app/lib/format";
import { isFollowed, runSignature } from "@/app/lib/run-signature";
import { isPerSeedMetric, isSystemMetric, valueAxis, xAxisTitle, xValues } from "@/app/lib/chart-axes";
import { describeHidden, drawableValues } from "@/app/lib/chart-values";
import { CURRICULUM_KEY, curriculumCaption, curriculumFrom, curriculumLayout, type Curriculum } from "@/app/lib/curriculum-marks";
import { Plot } from "./plot";

type Series = Awaited<ReturnType<typeof trpc.metrics.series.query>>;
type MetricSummary = Awaited<ReturnType<typeof trpc.runs.get.query>>["metrics"][number];

const POLL_MS = 2000;
const MAX_POINTS = 1000;
const HEALTH_PREFIX = "health/";

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
        const { run, metrics: latest, artifacts, workerActive } = await trpc.runs.get.query({ id: runId });
        if (stopped) return;
        setMetrics(latest);
        const now = runSignature(run, artifacts, workerActive);
        if (now !== lastSignature.current) {
          lastSignature.current = now;
          router.refresh();
        }
        if (!isFollowed(run.status, workerActive)) return setLive(false);
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
  const system = metrics.filter((m) => isSystemMetric(m.key));
  // "eval/knn_k20/1pct" before ".../10pct": fractions in numeric order
  const perSeed = metrics.filter((m) => isPerSeedMetric(m.key)).sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
  const training = metrics.filter((m) => !m.key.startsWith(HEALTH_PREFIX) && !isSystemMetric(m.key) && !isPerSeedMetric(m.key));
  // a difficulty that ever was below 1 means the run had a curriculum worth marking
  const difficulty = metrics.find((m) => m.key === CURRICULUM_KEY && m.minValue !== null && m.minValue < 1);
  const { series: difficultySeries } = useSeries(runId, difficulty ?? null);
  const curriculum = useMemo(() => (difficultySeries ? curriculumFrom(difficultySeries.points) : null), [difficultySeries]);
  return (
    <div data-testid="run-charts" data-live={live ? "yes" : "no"}>
      <section>
        <h2>Metrics {live && <span className="live-dot" title="updating every 2 s">live</span>}</h2>
        {curriculum && (
          <p className="chart-caption" data-testid="curriculum-caption">
            {curriculumCaption(curriculum)}
          </p>
        )}
        {training.length > 0 && (
          <div className="charts">
            {training.map((m) => (
              <MetricChart key={m.key} runId={runId} metric={m} curriculum={curriculum} />
            ))}
          </div>
        )}
        {perSeed.length > 0 && (
          <>
            <h3>Test accuracy per seed</h3>
            <p className="hint">One point per seed: each seed draws its own labeled subset. Means ± std over the seeds are in the label-efficiency chart.</p>
            <div className="charts charts-small">
              {perSeed.map((m) => (
                <MetricChart key={m.key} runId={runId} metric={m} curriculum={null} small />
              ))}
            </div>
          </>
        )}
        {training.length === 0 && perSeed.length === 0 && <div className="empty chart-sized">{live ? "Waiting for the first metrics…" : "No metrics logged."}</div>}
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
              <MetricChart key={m.key} runId={runId} metric={m} hint={HEALTH_HINTS[m.key]} curriculum={curriculum} small />
            ))}
          </div>
        </section>
      )}
      {system.length > 0 && (
        <section>
          <h2>System</h2>
          <div className="charts charts-small">
            {system.map((m) => (
              <MetricChart key={m.key} runId={runId} metric={m} curriculum={null} small />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

/**
 * A metric's series, refetched only when the metric grew or its last point changed. While the whole
 * series fits in MAX_POINTS only the new tail is fetched and appended; once it is downsampled, M4
 * buckets shift, so the downsampled series is fetched again. `metric` null: nothing to fetch.
 */
function useSeries(runId: number, metric: MetricSummary | null): { series: Series | null; error: string | null } {
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = metric?.key ?? null;
  const lastStep = metric?.lastStep ?? null;
  const lastValue = metric?.lastValue ?? null;
  const seriesRef = useRef<Series | null>(null);
  seriesRef.current = series;

  useEffect(() => {
    if (key === null) return;
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
  return { series, error };
}

/**
 * One metric against step; system samples against wall time (their step is seconds since the run
 * was created), per-seed evaluation results as points by seed. Curriculum marks on step axes.
 */
function MetricChart({ runId, metric, hint, curriculum, small = false }: { runId: number; metric: MetricSummary; hint?: string; curriculum: Curriculum | null; small?: boolean }) {
  const { series, error } = useSeries(runId, metric);
  const { key, lastValue } = metric;
  const axis = isSystemMetric(key) ? "wall" : "step";
  const perSeed = isPerSeedMetric(key);

  const drawn = useMemo(() => {
    if (!series) return null;
    const v = valueAxis(key);
    const xTitle = xAxisTitle(key, axis);
    const { y, hidden } = drawableValues(series.points.map((p) => p.value));
    const trace = {
      x: xValues(axis, series.points.map((p) => p.step), series.points.map((p) => p.wallTime), 0),
      y,
      type: "scatter",
      mode: perSeed ? "markers" : series.points.length < 50 ? "lines+markers" : "lines",
      connectgaps: false,
      line: { width: 1.5, color: key.startsWith(HEALTH_PREFIX) ? "#8250df" : "#0969da" },
      marker: { size: perSeed ? 8 : 4 },
      name: key,
      hovertemplate: `${xTitle} %{x}<br>${v.title}: %{y:${v.hoverformat}}<extra></extra>`,
    };
    return { data: [trace], hidden: describeHidden(hidden) };
  }, [series, key, axis, perSeed]);
  const layout = useMemo(() => {
    const v = valueAxis(key);
    const marks = curriculum ? curriculumLayout(curriculum, !small) : { shapes: [], annotations: [] };
    const title = (text: string) => ({ text, standoff: 4, font: { size: 11 } });
    return {
      margin: { l: 50, r: 10, t: 6, b: 36 },
      xaxis: {
        title: title(xAxisTitle(key, axis)),
        zeroline: false,
        automargin: true,
        ...(axis === "wall" ? { type: "date", hoverformat: "%H:%M:%S" } : {}),
        ...(perSeed ? { dtick: 1 } : {}),
      },
      yaxis: { title: title(v.title), zeroline: false, automargin: true, ...(v.tickformat ? { tickformat: v.tickformat } : {}) },
      ...marks,
      showlegend: false,
      hovermode: "closest",
      uirevision: key,
    };
  }, [key, axis, perSeed, curriculum, small]);

  return (
    <div className={small ? "chart chart-small" : "chart"} data-testid={`chart-${key}`}>
      <div className="chart-title">
        <span>{key}</span>
        <small data-testid="chart-count">
          {series ? `${series.total.toLocaleString("en-US")} points${series.downsampled ? ` · M4 ${series.points.length}` : ""} · last ${formatValue(lastValue)}` : ""}
        </small>
      </div>
      {hint && <div className="chart-hint">{hint}</div>}
      {drawn?.hidden && (
        <div className="chart-note" data-testid="not-drawn">
          {drawn.hidden}
        </div>
      )}
      {error && <div className="error-box">{error}</div>}
      {drawn ? <Plot data={drawn.data} layout={layout} className="chart-body" /> : !error && <div className="chart-placeholder">loading…</div>}
    </div>
  );
}
