import Link from "next/link";
import { formatDate } from "@/app/lib/format";
import { api } from "@/app/lib/server-api";
import { auditFilter } from "@/server/auth/audit";

export const metadata = { title: "Audit log · Pretext" };
export const dynamic = "force-dynamic";

type Query = { objectType?: string; objectId?: string; actor?: string; action?: string; before?: string };

/** The audit log, newest first; every actor, object and action links to the log filtered by it. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Query> }) {
  const query = await searchParams;
  const filter = auditFilter.safeParse({ ...query, limit: 100 });
  if (!filter.success) return <div className="error-box">Bad filter: {filter.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}</div>;
  const events = await (await api()).access.audit(filter.data);
  const href = (change: Query) => `/admin/audit?${new URLSearchParams(Object.entries({ ...query, before: undefined, ...change }).filter((e): e is [string, string] => !!e[1]))}`;
  const active = Object.entries(query).filter(([k, v]) => v && k !== "before");
  return (
    <>
      <h1>Audit log</h1>
      <p className="subtitle">
        Every change of a stage, gate, deployment, token or user, and every refused request: who, when, what, before and after. Append-only.
        {active.length > 0 && (
          <>
            {" "}
            Showing {active.map(([k, v]) => `${k} = ${v}`).join(", ")} · <Link href="/admin/audit">show all</Link>
          </>
        )}
      </p>
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th>When</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Object</th>
              <th>Detail</th>
              <th>Before → after</th>
            </tr>
          </thead>
          <tbody>
            {events.length === 0 && (
              <tr>
                <td colSpan={6}>Nothing recorded{active.length ? " that matches" : ""}.</td>
              </tr>
            )}
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.at)}</td>
                <td>
                  <Link href={href({ actor: e.actor })}>{e.actor}</Link>
                </td>
                <td>
                  <Link href={href({ action: e.action })}>{e.action}</Link>
                </td>
                <td>
                  <Link href={href({ objectType: e.objectType, objectId: e.objectId })}>
                    {e.objectType} {e.objectId}
                  </Link>
                </td>
                <td style={{ whiteSpace: "normal", maxWidth: 420 }}>{e.detail}</td>
                <td style={{ whiteSpace: "normal", maxWidth: 420, wordBreak: "break-word", fontSize: 12 }}>
                  <code>{e.before === null ? "—" : JSON.stringify(e.before).slice(0, 200)}</code> → <code>{e.after === null ? "—" : JSON.stringify(e.after).slice(0, 200)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {events.length === 100 && (
        <p className="pager">
          <Link href={`${href({})}&before=${events[events.length - 1].id}`}>Older →</Link>
        </p>
      )}
    </>
  );
}
