import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { formatDate, formatDuration, formatValue } from "@/app/lib/format";
import { StatusBadge } from "@/app/components/status-badge";

export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;
const MAX_COLUMNS = 8;

export default async function RunsTablePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ page?: string }> }) {
  const id = Number((await params).id);
  const page = Math.max(0, Number((await searchParams).page ?? 0) || 0);
  const caller = await api();
  const data = await Promise.all([caller.experiments.get({ id }), caller.experiments.runs({ id, page, pageSize: PAGE_SIZE })]).catch((err) => {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const [experiment, { runs, total }] = data;
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort().slice(0, MAX_COLUMNS);
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort().slice(0, MAX_COLUMNS);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <>
      <h1>{experiment.name}</h1>
      <p className="subtitle">
        {experiment.project} · {total} run{total === 1 ? "" : "s"}
      </p>
      {runs.length === 0 ? (
        <div className="empty">No runs in this experiment yet.</div>
      ) : (
        <div className="table-scroll">
          <table className="grid" data-testid="runs-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Created</th>
                <th>Duration</th>
                <th>Backend</th>
                {paramKeys.map((k) => (
                  <th key={`p-${k}`} title="param">
                    {k}
                  </th>
                ))}
                {metricKeys.map((k) => (
                  <th key={`m-${k}`} title="latest value" className="num">
                    {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/runs/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>{formatDate(r.createdAt)}</td>
                  <td>{formatDuration(r.startedAt, r.endedAt)}</td>
                  <td>{r.backend ?? "—"}</td>
                  {paramKeys.map((k) => (
                    <td key={`p-${k}`}>{formatValue(r.params[k])}</td>
                  ))}
                  {metricKeys.map((k) => (
                    <td key={`m-${k}`} className="num">
                      {formatValue(r.metrics[k])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <div className="pager">
          {page > 0 && <Link href={`?page=${page - 1}`}>← newer</Link>}
          <span>
            page {page + 1} of {pages}
          </span>
          {page + 1 < pages && <Link href={`?page=${page + 1}`}>older →</Link>}
        </div>
      )}
    </>
  );
}
