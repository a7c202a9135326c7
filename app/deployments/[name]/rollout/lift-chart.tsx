"use client";

import { useMemo } from "react";
import { Plot } from "@/app/components/plot";
import { liftChart, type LiftPointView } from "../../rollout";

/** One metric's cumulative lift over the experiment's life, with its confidence bands. */
export function LiftChart({ metric, points }: { metric: string; points: LiftPointView[] }) {
  const chart = useMemo(() => liftChart(points), [points]);
  return (
    <div className="chart" data-testid={`lift-${metric}`}>
      <div className="chart-title">
        <span>{metric}: cumulative lift</span>
        <small>{points.at(-1)?.users ?? 0} users</small>
      </div>
      <div className="chart-hint">The lift as it stood at each moment, with its 95 % CI (band) and the always-valid sequential CI (dashed), which stays valid however often it is looked at.</div>
      <Plot data={chart.data} layout={chart.layout} className="chart-body" testId={`lift-${metric}-plot`} />
    </div>
  );
}
