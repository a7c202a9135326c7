import Link from "next/link";
import { notFound } from "next/navigation";
import { api } from "@/app/lib/server-api";
import { viewer } from "@/app/lib/viewer";
import { describeValue, formatDate, formatNumber } from "@/app/lib/format";
import { decodeSegment } from "@/app/lib/encoder-registry";
import { hasScope } from "@/server/auth/principal";
import { orNotFound } from "../../../../encoders/not-found-on";
import { deploymentHref, deploymentsHref, describeReference, describeSchedule, describeThreshold, describeWindow, WINDOW_STATUS_LABEL, type ChartWindow } from "../../../monitoring";
import { CheckNow } from "./check-now";
import { FigureCharts } from "./figure-charts";
import { AddRuleForm, RuleActions } from "./rule-forms";
import "../../../../encoders/registry.css";
import "../../../monitoring.css";

export const dynamic = "force-dynamic";

/** Rows of the results table: the newest windows (the charts draw every window). */
const TABLE_ROWS = 100;

/** A drift monitor: its config, a check on demand, one chart per figure, its windows, alert rules and alert history. */
export default async function MonitorPage({ params }: { params: Promise<{ name: string; id: string }> }) {
  const { name: rawName, id: rawId } = await params;
  const name = decodeSegment(rawName);
  if (!/^[1-9]\d{0,9}$/.test(rawId)) notFound();
  const caller = await api();
  const { monitor, figures, results, alerts } = await orNotFound(caller.monitoring.monitor({ id: Number(rawId) }));
  // a monitor is addressed under its own deployment only
  if (monitor.deployment !== name) notFound();
  const { principal } = await viewer();
  const isAdmin = hasScope(principal, "admin");
  const canWrite = hasScope(principal, "write");

  const windows: ChartWindow[] = results.map((r) => ({
    windowIndex: r.windowIndex,
    windowStart: r.windowStart.toISOString(),
    windowEnd: r.windowEnd.toISOString(),
    status: r.status,
    figures: r.figures,
  }));
  const rules = alerts.rules.map((r) => ({ name: r.name, figure: r.figure, direction: r.direction, threshold: r.threshold, enabled: r.enabled }));
  const counts = { drift: results.filter((r) => r.status === "drift").length, tooFew: results.filter((r) => r.status === "too_few_samples").length };
  const newestFirst = [...results].reverse().slice(0, TABLE_ROWS);
  const firing = alerts.rules.filter((r) => r.enabled && r.state === "firing");

  return (
    <>
      <p className="subtitle">
        <Link href={deploymentsHref}>Deployments</Link> / <Link href={deploymentHref(monitor.deployment)}>{monitor.deployment}</Link> / monitors / {monitor.name}
      </p>
      <h1>
        {monitor.name}{" "}
        {monitor.latest && (
          <span className={`window-status window-status-${monitor.latest.status}`} data-testid="monitor-status">
            {WINDOW_STATUS_LABEL[monitor.latest.status]}
          </span>
        )}
      </h1>
      <p className="subtitle">
        Drift of the {monitor.target === "embedding" ? "embeddings" : "inputs"} served by <Link href={deploymentHref(monitor.deployment)}>{monitor.deployment}</Link>, window by window, against{" "}
        {monitor.reference.kind === "dataset" ? "a dataset" : "a period of its traffic"}.
      </p>
      {firing.length > 0 && (
        <div className="collapse-banner" role="alert" data-testid="firing-banner">
          <strong>Alert firing</strong>
          <span>{firing.map((r) => `${r.name} (${r.figure} ${describeThreshold(r.direction, r.threshold)})`).join(", ")}</span>
        </div>
      )}
      <div className="facts" data-testid="monitor-config">
        <div>
          <span>Target</span>
          {monitor.target === "embedding" ? "embeddings" : "inputs"}
        </div>
        <div>
          <span>Tests</span>
          {monitor.tests.join(", ")}
        </div>
        <div>
          <span>Windows</span>
          {describeWindow(monitor.window)}
        </div>
        <div>
          <span>Min samples</span>
          {formatNumber(monitor.minSamples)}
        </div>
        <div>
          <span>Reference</span>
          {describeReference(monitor.reference)}
        </div>
        <div>
          <span>Schedule</span>
          {describeSchedule(monitor.schedule)}
        </div>
        <div>
          <span>Created</span>
          {formatDate(monitor.createdAt)} by {monitor.createdBy}
        </div>
        <div data-testid="last-check">
          <span>Last check</span>
          {monitor.lastCheckAt ? formatDate(monitor.lastCheckAt) : "never"}
        </div>
      </div>
      {monitor.lastCheckError && (
        <div className="error-box" data-testid="last-check-error">
          The last check failed: {monitor.lastCheckError}
        </div>
      )}
      {canWrite && <CheckNow id={monitor.id} lastCheckAt={monitor.lastCheckAt?.toISOString() ?? null} />}

      <section>
        <h2>Figures by window</h2>
        {results.length === 0 ? (
          <div className="empty chart-sized" data-testid="no-windows">
            No windows checked yet. A window is checked once it is complete ({describeWindow(monitor.window)}, from when the monitor was created){monitor.schedule ? `, at the next scheduled check` : ": press Check now"}.
          </div>
        ) : (
          <>
            <p className="hint">
              {formatNumber(results.length)} window{results.length === 1 ? "" : "s"}: {formatNumber(counts.drift)} flagged as drift
              {counts.tooFew > 0 && `, ${formatNumber(counts.tooFew)} with too few samples to test`}.
            </p>
            <FigureCharts figures={figures} windows={windows} rules={rules} />
          </>
        )}
      </section>

      {results.length > 0 && (
        <section>
          <h2>Windows</h2>
          {results.length > TABLE_ROWS && <p className="hint">The newest {TABLE_ROWS} of {formatNumber(results.length)}; the charts draw every window.</p>}
          <div className="table-scroll">
            <table className="grid" data-testid="results">
              <thead>
                <tr>
                  <th className="num">Window</th>
                  <th>Ended</th>
                  <th className="num">Samples</th>
                  <th>Status</th>
                  {figures.map((f) => (
                    <th key={f.name} className="num" title={f.describe}>
                      {f.name}
                    </th>
                  ))}
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((r) => (
                  <tr key={r.windowIndex} className={r.status === "drift" ? "drift-row" : r.status === "too_few_samples" ? "too-few-row" : undefined}>
                    <td className="num">{r.windowIndex}</td>
                    <td>
                      {formatDate(r.windowEnd)}
                      <span className="sub">from {formatDate(r.windowStart)}</span>
                    </td>
                    <td className="num" title="current window / reference">
                      {formatNumber(r.currentSamples)} / {formatNumber(r.referenceSamples)}
                    </td>
                    <td>
                      <span className={`window-status window-status-${r.status}`}>{WINDOW_STATUS_LABEL[r.status]}</span>
                    </td>
                    {figures.map((f) => {
                      const v = describeValue(r.figures[f.name]);
                      return (
                        <td key={f.name} className="num" title={v.full}>
                          {v.text}
                        </td>
                      );
                    })}
                    <td className="wrap">{r.detail || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section id="rules">
        <h2>Alert rules</h2>
        {alerts.rules.length === 0 ? (
          <p className="hint" data-testid="rules-empty">
            No alert rules: drift shows here, but nobody is emailed.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="grid" data-testid="rules">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Figure</th>
                  <th>Fires when</th>
                  <th className="num">Windows in a row</th>
                  <th className="num">Cooldown</th>
                  <th>Emails</th>
                  <th>State</th>
                  {isAdmin && <th />}
                </tr>
              </thead>
              <tbody>
                {alerts.rules.map((r) => (
                  <tr key={r.id} data-testid={`rule-${r.name}`}>
                    <td>
                      {r.name}
                      <span className="sub">by {r.createdBy}</span>
                    </td>
                    <td>{r.figure}</td>
                    <td>{describeThreshold(r.direction, r.threshold)}</td>
                    <td className="num">{formatNumber(r.consecutive)}</td>
                    <td className="num">{formatNumber(r.cooldownMinutes)} min</td>
                    <td className="wrap">{r.recipients.join(", ")}</td>
                    <td data-testid="rule-state">
                      {r.enabled ? <span className={`alert-state alert-state-${r.state}`}>{r.state}</span> : <span className="alert-state alert-state-disabled">disabled</span>}
                      {r.enabled && r.state === "firing" && r.episodeStart && <span className="sub">since {formatDate(r.episodeStart)}</span>}
                      {r.enabled && r.state === "resolved" && r.resolvedAt && <span className="sub">at {formatDate(r.resolvedAt)}</span>}
                    </td>
                    {isAdmin && (
                      <td>
                        <RuleActions id={r.id} name={r.name} enabled={r.enabled} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {isAdmin && <AddRuleForm monitorId={monitor.id} figures={figures.map((f) => ({ name: f.name, verdict: f.verdict }))} />}
      </section>

      <section>
        <h2>Alert history</h2>
        {alerts.events.length === 0 ? (
          <p className="hint" data-testid="history-empty">
            No rule has changed state yet.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="grid" data-testid="history">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Rule</th>
                  <th>Change</th>
                  <th className="num">Window</th>
                  <th className="num">Value</th>
                  <th>Email</th>
                </tr>
              </thead>
              <tbody>
                {alerts.events.map((e) => (
                  <tr key={e.id}>
                    <td>{formatDate(e.at)}</td>
                    <td>{e.rule}</td>
                    <td>
                      <span className={`alert-state alert-state-${e.fromState}`}>{e.fromState}</span> → <span className={`alert-state alert-state-${e.toState}`}>{e.toState}</span>
                    </td>
                    <td className="num">{e.windowIndex}</td>
                    <td className="num">{e.value === null ? <span className="muted">—</span> : describeValue(e.value).text}</td>
                    <td className="wrap" data-testid="email-status">
                      <EmailStatus deduplicated={e.deduplicated} email={e.email} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

type Email = { status: "pending" | "sent" | "failed"; attempts: number; sentAt: Date | null; lastError: string | null } | null;

/** What became of a transition's email: only a new firing episode sends one. */
function EmailStatus({ deduplicated, email }: { deduplicated: boolean; email: Email }) {
  if (deduplicated) return <span className="muted">same episode (no email)</span>;
  if (!email) return <span className="muted">—</span>;
  const tries = `${email.attempts} attempt${email.attempts === 1 ? "" : "s"}`;
  if (email.status === "sent") return <span className="pass-text">sent {formatDate(email.sentAt)}</span>;
  if (email.status === "failed")
    return (
      <>
        <span className="fail-text">failed</span> after {tries}
        {email.lastError && <span className="sub">{email.lastError}</span>}
      </>
    );
  return (
    <>
      pending ({tries})
      {email.lastError && <span className="sub">last error: {email.lastError}</span>}
    </>
  );
}
