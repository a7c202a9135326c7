import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { viewer } from "@/app/lib/viewer";
import { formatDate, formatNumber } from "@/app/lib/format";
import { decodeSegment, embedCurl, encoderHref, versionHref } from "@/app/lib/encoder-registry";
import { hasScope } from "@/server/auth/principal";
import { sampleSize } from "@/server/registry/model-spec";
import { orNotFound } from "../../encoders/not-found-on";
import { deploymentsHref, describeReference, describeSchedule, describeWindow, monitorHref, WINDOW_STATUS_LABEL } from "../monitoring";
import { rolloutHref } from "../rollout";
import { CreateMonitorForm } from "./create-monitor-form";
import "../../encoders/registry.css";
import "../monitoring.css";

export const dynamic = "force-dynamic";

/** One deployment: the version it serves, its traffic of the last 24 hours, and its drift monitors. */
export default async function DeploymentPage({ params }: { params: Promise<{ name: string }> }) {
  const name = decodeSegment((await params).name);
  const caller = await api();
  const { deployment, serving, traffic, monitors } = await orNotFound(caller.monitoring.deployment({ name }));
  const { principal } = await viewer();
  const isAdmin = hasScope(principal, "admin");
  const spec = serving && (await caller.registry.versions({ name: serving.name })).versions.find((v) => v.id === serving.id)?.modelSpec;

  return (
    <>
      <p className="subtitle">
        <Link href={deploymentsHref}>Deployments</Link> / {deployment.name}
      </p>
      <h1>{deployment.name}</h1>
      <p className="subtitle">
        Serves the production version of <Link href={encoderHref(deployment.encoderName)}>{deployment.encoderName}</Link>, whichever that is when called, unless its flag&apos;s rules give a user another.{" "}
        <Link href={rolloutHref(deployment.name)} data-testid="rollout-link">
          Rollout
        </Link>
        : flag, ramps, experiments and shadow tests.
      </p>
      <div className="facts" data-testid="deployment-facts">
        <div>
          <span>Serves now</span>
          {serving ? (
            <Link href={versionHref(serving.name, serving.version)}>
              {serving.name} v{serving.version}
            </Link>
          ) : (
            <>nothing: {deployment.encoderName} has no production version</>
          )}
        </div>
        <div>
          <span>Inputs sampled</span>
          {formatNumber(deployment.sampleRate * 100)} %
        </div>
        <div>
          <span>Kept for</span>
          {formatNumber(deployment.retentionDays)} days
        </div>
        <div>
          <span>Created</span>
          {formatDate(deployment.createdAt)} by {deployment.createdBy}
        </div>
      </div>
      <pre className="curl registry-section">{embedCurl(deployment.name, spec ? sampleSize(spec) : null)}</pre>

      <section className="registry-section">
        <h2>Traffic, last {traffic.hours} hours</h2>
        <div className="facts" data-testid="traffic">
          <div>
            <span>Requests</span>
            {formatNumber(traffic.requests)}
          </div>
          <div>
            <span>Failed</span>
            {traffic.failed > 0 ? <strong className="fail-text">{formatNumber(traffic.failed)}</strong> : "0"}
          </div>
          <div>
            <span>Inputs embedded</span>
            {formatNumber(traffic.samples)}
          </div>
          <div>
            <span>Latency p50</span>
            {traffic.p50Ms === null ? "—" : `${formatNumber(traffic.p50Ms)} ms`}
          </div>
          <div>
            <span>Latency p99</span>
            {traffic.p99Ms === null ? "—" : `${formatNumber(traffic.p99Ms)} ms`}
          </div>
        </div>
        <p className="hint">From the request log, which is written about once a second.</p>
      </section>

      <section className="registry-section" id="monitors">
        <h2>Drift monitors</h2>
        {monitors.length === 0 ? (
          <p className="hint" data-testid="monitors-empty">
            No monitors yet. A monitor cuts the sampled inputs (or their embeddings) into windows and tests each against a reference: a dataset, or a period of traffic.
            {deployment.sampleRate === 0 && " This deployment samples no inputs, so a monitor would see none."}
          </p>
        ) : (
          <div className="table-scroll">
            <table className="grid" data-testid="monitors">
              <thead>
                <tr>
                  <th>Monitor</th>
                  <th>Target</th>
                  <th>Tests</th>
                  <th>Windows</th>
                  <th>Reference</th>
                  <th>Schedule</th>
                  <th>Latest window</th>
                  <th>Last check</th>
                </tr>
              </thead>
              <tbody>
                {monitors.map((m) => (
                  <tr key={m.id} data-testid={`monitor-${m.name}`}>
                    <td>
                      <Link href={monitorHref(deployment.name, m.id)}>{m.name}</Link>
                    </td>
                    <td>{m.target === "embedding" ? "embeddings" : "inputs"}</td>
                    <td>{m.tests.join(", ")}</td>
                    <td>
                      {describeWindow(m.window)}
                      <span className="sub">at least {formatNumber(m.minSamples)} samples</span>
                    </td>
                    <td className="wrap">{describeReference(m.reference)}</td>
                    <td>{describeSchedule(m.schedule)}</td>
                    <td data-testid="latest-window">
                      {m.latest ? (
                        <>
                          <span className={`window-status window-status-${m.latest.status}`}>{WINDOW_STATUS_LABEL[m.latest.status]}</span> window {m.latest.windowIndex}
                          <span className="sub">ended {formatDate(m.latest.windowEnd)}</span>
                        </>
                      ) : (
                        <span className="muted">none checked yet</span>
                      )}
                    </td>
                    <td className="wrap">
                      {m.lastCheckAt ? formatDate(m.lastCheckAt) : <span className="muted">never</span>}
                      {m.lastCheckError && (
                        <span className="sub" data-testid="last-check-error">
                          <span className="fail-text">failed:</span> {m.lastCheckError}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {isAdmin ? <CreateMonitorForm deployment={deployment.name} /> : <p className="hint">An admin can add monitors.</p>}
      </section>
    </>
  );
}
