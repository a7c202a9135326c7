"use client";

import { useMemo } from "react";
import type { sweepSummary } from "@/server/jobs/sweeps";
import { isDrawable } from "@/app/lib/chart-values";
import { parcoordsTrace } from "@/app/lib/parcoords";
import { Plot } from "./plot";

type Sweep = Awaited<ReturnType<typeof sweepSummary>>;

/** A sweep's trials as parallel coordinates: each swept param, then the objective, coloured best-bright. */
export function SweepChart({ sweep }: { sweep: Sweep }) {
  const trace = useMemo(() => parcoordsTrace(sweep.trials, sweep.parameters, sweep.metric, sweep.goal), [sweep]);
  const layout = useMemo(() => ({ margin: { l: 70, r: 70, t: 56, b: 24 } }), []);
  const scored = sweep.trials.filter((t) => isDrawable(t.value)).length;
  return (
    <div className="chart sweep-chart" data-testid="sweep-parallel-coordinates">
      <div className="chart-title">
        <span>Parallel coordinates</span>
        <small>
          {scored} of {sweep.trials.length} trials logged {sweep.metric} · {sweep.goal === "minimize" ? "lower" : "higher"} is better (brighter)
        </small>
      </div>
      {trace ? <Plot data={[trace]} layout={layout} className="chart-body" /> : <div className="chart-placeholder">no trial has logged {sweep.metric} yet</div>}
    </div>
  );
}
