"use client";

import { useMemo, useState } from "react";
import type { LabelEfficiencyCurve } from "@/server/services/benchmarks";
import { valueAxis } from "@/app/lib/chart-axes";
import { labelPercent } from "@/app/lib/encoder-registry";
import { Plot } from "./plot";

/** Version colours, newest first; baselines are grey and dashed, as on the label-efficiency chart. */
const VERSION_COLORS = ["#0969da", "#8250df", "#1a7f37", "#bc4c00", "#bf3989", "#0a7d8c", "#6e7781"];
const BASELINE_STYLES = [
  { color: "#57606a", dash: "dash" },
  { color: "#8c959f", dash: "dot" },
  { color: "#424a53", dash: "dashdot" },
];
const DEFAULT_METHOD = "linear_probe";

export interface VersionCurve {
  version: number;
  stage: string;
  curve: LabelEfficiencyCurve | null;
}

/**
 * Every version's label-efficiency curve for one SSL method, overlaid (one trace per version), with
 * the baselines drawn once from the newest version that measured them. x: labeled fraction, log scale.
 */
export function EncoderVersionsChart({ versions }: { versions: VersionCurve[] }) {
  const { measured, methods, benchmarks } = useMemo(() => {
    const measured = versions.filter((v): v is VersionCurve & { curve: LabelEfficiencyCurve } => (v.curve?.series.length ?? 0) > 0);
    return {
      measured,
      methods: [...new Set(measured.flatMap((v) => v.curve.series.filter((s) => !s.baseline).map((s) => s.method)))].sort(),
      benchmarks: [...new Set(measured.map((v) => v.curve.benchmark))],
    };
  }, [versions]);
  const [picked, setPicked] = useState(methods.includes(DEFAULT_METHOD) ? DEFAULT_METHOD : methods[0]);
  const method = methods.includes(picked) ? picked : methods[0];
  const metric = measured[0]?.curve.metric ?? "test_accuracy";

  const { data, layout } = useMemo(() => {
    const y = valueAxis(metric);
    const traces: unknown[] = [];
    const fractions = new Set<number>();
    const trace = (name: string, points: LabelEfficiencyCurve["series"][number]["points"], style: { color: string; dash: string }, baseline: boolean) => {
      points.forEach((p) => fractions.add(p.labelFraction));
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        name,
        x: points.map((p) => p.labelFraction),
        y: points.map((p) => p.mean),
        error_y: { type: "data", array: points.map((p) => p.std), visible: true, thickness: 1.2, width: 4, color: style.color },
        customdata: points.map((p) => [labelPercent(p.labelFraction), p.std, p.n]),
        hovertemplate: `<b>${name}</b> at %{customdata[0]} labels<br>%{y:${y.hoverformat}} ± %{customdata[1]:${y.hoverformat}} (n = %{customdata[2]} seeds)<extra></extra>`,
        line: { color: style.color, dash: style.dash, width: baseline ? 1.8 : 2.4 },
        marker: { color: style.color, size: baseline ? 6 : 8, symbol: baseline ? "square" : "circle" },
      });
    };
    measured.forEach((v, i) => {
      const series = v.curve.series.find((s) => s.method === method && !s.baseline);
      const where = benchmarks.length > 1 ? ` · ${v.curve.benchmark}` : "";
      if (series) trace(`v${v.version}${v.stage === "none" ? "" : ` (${v.stage})`}${where}`, series.points, { color: VERSION_COLORS[i % VERSION_COLORS.length], dash: "solid" }, false);
    });
    const drawn = new Set<string>();
    for (const v of measured) {
      for (const s of v.curve.series) {
        if (!s.baseline || drawn.has(`${v.curve.benchmark}/${s.method}`)) continue;
        const style = BASELINE_STYLES[drawn.size % BASELINE_STYLES.length];
        drawn.add(`${v.curve.benchmark}/${s.method}`);
        trace(`${s.method} (baseline)${benchmarks.length > 1 ? ` · ${v.curve.benchmark}` : ""}`, s.points, style, true);
      }
    }
    const ticks = [...fractions].sort((a, b) => a - b);
    const layout = {
      margin: { l: 64, r: 16, t: 8, b: 48 },
      xaxis: { type: "log", title: { text: "labeled fraction of the training set (% labels, log scale)" }, tickvals: ticks, ticktext: ticks.map(labelPercent), zeroline: false },
      yaxis: { title: { text: y.title }, zeroline: false, tickformat: y.tickformat ?? ".2f" },
      legend: { orientation: "h", y: -0.18 },
      hovermode: "closest",
      uirevision: method,
    };
    return { data: traces, layout };
  }, [measured, method, metric, benchmarks.length]);

  if (measured.length === 0) {
    return <div className="chart-placeholder plot-tall">No benchmark results for any version yet: evaluate one from its run page (Launch evaluation).</div>;
  }
  return (
    <>
      <div className="chart-toolbar">
        <label>
          SSL protocol{" "}
          <select value={method} onChange={(e) => setPicked(e.target.value)} data-testid="curve-method">
            {methods.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <span>
          {benchmarks.join(", ")} · mean ± std over seeds · baselines (no encoder) dashed
        </span>
      </div>
      <Plot data={data} layout={layout} className="plot-tall" testId="versions-chart" />
    </>
  );
}
