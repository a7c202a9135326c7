import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { formatDate, formatDuration, formatValue } from "@/app/lib/format";
import { StatusBadge } from "@/app/components/status-badge";
import { MetricCharts } from "@/app/components/metric-charts";

export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  const caller = await api();
  const data = await caller.runs.get({ id }).catch((err) => {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
  const { run, params: runParams, metrics, artifacts } = data;
  const experiment = await caller.experiments.get({ id: run.experimentId });
  return (
    <>
      <p className="subtitle">
        <Link href={`/experiments/${experiment.id}`}>{experiment.name}</Link> / run {run.id}
      </p>
      <h1>
        {run.name} <StatusBadge status={run.status} />
      </h1>
      {run.tags.warning && <div className="warning">⚠ {run.tags.warning}</div>}
      {run.status === "failed" && run.statusReason && <div className="error-box">{run.statusReason}</div>}
      <div className="facts">
        <div><span>Created</span>{formatDate(run.createdAt)}</div>
        <div><span>Duration</span>{formatDuration(run.startedAt, run.endedAt)}</div>
        <div><span>Backend</span>{run.backend ?? "—"}</div>
        <div><span>Worker</span>{run.worker ?? "—"}</div>
        {Object.entries(run.tags)
          .filter(([k]) => k !== "warning")
          .map(([k, v]) => (
            <div key={k}><span>{k}</span>{v}</div>
          ))}
      </div>
      <div className="two-col">
        <section>
          <h2>Params</h2>
          {runParams.length === 0 ? (
            <div className="empty">No params logged.</div>
          ) : (
            <table className="grid" data-testid="params">
              <tbody>
                {runParams.map((p) => (
                  <tr key={p.key}>
                    <td>{p.key}</td>
                    <td>{formatValue(p.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Artifacts</h2>
          {artifacts.length === 0 ? (
            <div className="empty">No artifacts.</div>
          ) : (
            <table className="grid">
              <tbody>
                {artifacts.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <a href={`/api/v1/runs/${run.id}/artifacts/${a.name}`}>{a.name}</a>
                    </td>
                    <td>{a.kind}</td>
                    <td className="num">{formatValue(a.bytes)} B</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section>
          <h2>Metrics</h2>
          <MetricCharts runId={run.id} keys={metrics.map((m) => m.key)} live={run.status === "running" || run.status === "queued"} />
        </section>
      </div>
    </>
  );
}
