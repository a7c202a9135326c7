/** Everything a monitor's page and `GET /api/v1/monitors/:id` show: config, time series, thresholds and alerts. */
import type { Database } from "@/server/db";
import { alertHistory, figuresOf, type AlertHistory } from "@/server/alerts/rules";
import { FIGURES, type FigureInfo } from "./figures";
import { getMonitor, listResults, type DriftResultRow, type MonitorView } from "./monitors";

export interface MonitorReport {
  monitor: MonitorView;
  /** the figures its windows carry, with what each means and its threshold */
  figures: (FigureInfo & { name: string })[];
  results: DriftResultRow[];
  alerts: AlertHistory;
}

export async function monitorReport(database: Database, id: number, opts: { afterWindow?: number; limit?: number } = {}): Promise<MonitorReport> {
  const monitor = await getMonitor(database, id);
  return {
    monitor,
    figures: figuresOf(monitor).map((name) => ({ name, ...FIGURES[name] })),
    results: await listResults(database, id, opts),
    alerts: await alertHistory(database, id),
  };
}
