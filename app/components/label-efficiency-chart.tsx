"use client";

import { useMemo } from "react";
import type { LabelEfficiencyCurve } from "@/server/services/benchmarks";
import { valueAxis } from "@/app/lib/chart-axes";
import { describeSettings } from "@/app/lib/chosen-settings";
import { Plot } from "./plot";

/** Protocol colours; baselines are grey and dashed so the SSL curves stand out against them. */
const PROTOCOL_COLORS = ["#0969da", "#8250df", "#1a7f37", "#bc4c00", "#bf3989", "#0a7d8c"];
const BASELINE_STYLES = [
  { color: "#57606a", dash: "dash" },
  { color: "#8c959f", dash: "dot" },
  { color: "#424a53", dash: "dashdot" },
];

const percent = (f: number) => `${Number((f * 100).toPrecision(3))}%`;

/** Accuracy against labeled fraction (log x), mean ± std over seeds, SSL protocols against the baselines. */
export function LabelEfficiencyChart({ curve }: { curve: LabelEfficiencyCurve }) {
  const { data, layout } = useMemo(() => {
    const y = valueAxis(curve.metric);
    const fractions = [...new Set(curve.series.flatMap((s) => s.points.map((p) => p.labelFraction)))].sort((a, b) => a - b);
    let protocol = 0;
    let baseline = 0;
    const data = curve.series.map((s) => {
      const style = s.baseline ? BASELINE_STYLES[baseline++ % BASELINE_STYLES.length] : { color: PROTOCOL_COLORS[protocol++ % PROTOCOL_COLORS.length], dash: "solid" };
      return {
        type: "scatter",
        mode: "lines+markers",
        name: s.baseline ? `${s.method} (baseline)` : s.method,
        x: s.points.map((p) => p.labelFraction),
        y: s.points.map((p) => p.mean),
        error_y: { type: "data", array: s.points.map((p) => p.std), visible: true, thickness: 1.2, width: 4, color: style.color },
        customdata: s.points.map((p) => [percent(p.labelFraction), p.std, p.n, describeSettings(p.settings) || "nothing chosen"]),
        hovertemplate: `<b>${s.method}</b> at %{customdata[0]} labels<br>%{y:${y.hoverformat}} ± %{customdata[1]:${y.hoverformat}} (n = %{customdata[2]} seeds)<br>%{customdata[3]}<extra></extra>`,
        line: { color: style.color, dash: style.dash, width: s.baseline ? 1.8 : 2.4 },
        marker: { color: style.color, size: s.baseline ? 6 : 8, symbol: s.baseline ? "square" : "circle" },
      };
    });
    const layout = {
      margin: { l: 64, r: 16, t: 8, b: 48 },
      xaxis: { type: "log", title: { text: "labeled fraction of the training set (%, log scale)" }, tickvals: fractions, ticktext: fractions.map(percent), zeroline: false },
      yaxis: { title: { text: y.title }, zeroline: false, tickformat: y.tickformat ?? ".2f" },
      legend: { orientation: "h", y: -0.18 },
      hovermode: "closest",
      uirevision: `${curve.benchmark}/${curve.encoder?.id ?? curve.runIds.join(",")}`,
    };
    return { data, layout };
  }, [curve]);
  return <Plot data={data} layout={layout} className="plot-tall" testId="label-efficiency-chart" />;
}
