"use client";

import { useMemo, useState } from "react";
import { Plot } from "@/app/components/plot";
import { formatValue } from "@/app/lib/format";
import { CHART_COLORS, describeThreshold, figureChart, type ChartFigure, type ChartRule, type ChartWindow, type ChartX } from "../../../monitoring";

/** One chart per figure the monitor's windows carry, drawn like a run's metric charts. */
export function FigureCharts({ figures, windows, rules }: { figures: ChartFigure[]; windows: ChartWindow[]; rules: ChartRule[] }) {
  const [x, setX] = useState<ChartX>("window");
  return (
    <>
      <div className="chart-toolbar">
        <label>
          x axis{" "}
          <select value={x} onChange={(e) => setX(e.target.value as ChartX)} aria-label="x axis" data-testid="chart-x">
            <option value="window">window index</option>
            <option value="time">window end time</option>
          </select>
        </label>
      </div>
      <div className="chart-legend" data-testid="chart-legend">
        <span>
          <i className="legend-dot" style={{ background: CHART_COLORS.drift }} /> window flagged as drift
        </span>
        <span>
          <i className="legend-band" /> too few samples (not tested)
        </span>
        <span>
          <i className="legend-mark" style={{ borderTopStyle: "dashed", borderColor: CHART_COLORS.threshold }} /> threshold
        </span>
        <span>
          <i className="legend-mark" style={{ borderTopStyle: "dotted", borderColor: CHART_COLORS.level }} /> reference level
        </span>
        <span>
          <i className="legend-mark" style={{ borderTopStyle: "dashed", borderColor: CHART_COLORS.rule }} /> alert rule
        </span>
      </div>
      <div className="charts charts-small">
        {figures.map((f) => (
          <FigureChart key={f.name} figure={f} windows={windows} rules={rules} x={x} />
        ))}
      </div>
    </>
  );
}

function FigureChart({ figure, windows, rules, x }: { figure: ChartFigure; windows: ChartWindow[]; rules: ChartRule[]; x: ChartX }) {
  const { data, layout } = useMemo(() => figureChart(figure, windows, rules, x), [figure, windows, rules, x]);
  const last = [...windows].reverse().find((w) => w.status !== "too_few_samples" && w.figures[figure.name] !== undefined);
  return (
    <div className="chart chart-small" data-testid={`figure-${figure.name}`}>
      <div className="chart-title">
        <span>{figure.name}</span>
        <small>
          {last ? `last ${formatValue(last.figures[figure.name])}` : "no value yet"}
          {figure.verdict && ` · drift when ${describeThreshold(figure.verdict.direction, figure.verdict.threshold)}`}
        </small>
      </div>
      <div className="chart-hint">{figure.describe}</div>
      <Plot data={data} layout={layout} className="chart-body" testId={`figure-plot-${figure.name}`} />
    </div>
  );
}
