import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { formatNumber } from "@/app/lib/format";
import { encoderHref, encodersHref, versionHref } from "@/app/lib/encoder-registry";
import { deploymentHref, monitorHref, WINDOW_STATUS_LABEL } from "./monitoring";
import "../encoders/registry.css";
import "./monitoring.css";

export const metadata = { title: "Deployments · Pretext" };
export const dynamic = "force-dynamic";

/** Every deployment: what it serves, its traffic, and the latest verdict of each drift monitor. */
export default async function DeploymentsPage() {
  const caller = await api();
  const deployments = await caller.registry.deployments();
  const monitors = await Promise.all(deployments.map(async (d) => (await caller.monitoring.deployment({ name: d.name })).monitors));
  return (
    <>
      <h1>Deployments</h1>
      <p className="subtitle">Named endpoints that serve an encoder&apos;s production version, and the drift monitors that watch what they serve.</p>
      {deployments.length === 0 ? (
        <div className="empty" data-testid="deployments-empty">
          No deployments yet. Create one on an encoder&apos;s page (see <Link href={encodersHref}>Encoders</Link>): it serves that encoder&apos;s production version at its own URL.
        </div>
      ) : (
        <div className="table-scroll registry-section">
          <table className="grid" data-testid="all-deployments">
            <thead>
              <tr>
                <th>Deployment</th>
                <th>Encoder</th>
                <th>Serves</th>
                <th className="num">Requests, 24 h</th>
                <th className="num">Failed</th>
                <th>Monitors</th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((d, i) => (
                <tr key={d.id}>
                  <td>
                    <Link href={deploymentHref(d.name)}>{d.name}</Link>
                  </td>
                  <td>
                    <Link href={encoderHref(d.encoderName)}>{d.encoderName}</Link>
                  </td>
                  <td>{d.serving ? <Link href={versionHref(d.serving.name, d.serving.version)}>v{d.serving.version}</Link> : <span className="muted">nothing</span>}</td>
                  <td className="num">{formatNumber(d.traffic.requests)}</td>
                  <td className="num">{formatNumber(d.traffic.failed)}</td>
                  <td className="wrap">
                    {monitors[i].length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      monitors[i].map((m, j) => (
                        <span key={m.id}>
                          {j > 0 && " · "}
                          <Link href={monitorHref(d.name, m.id)}>{m.name}</Link>{" "}
                          {m.latest ? <span className={`window-status window-status-${m.latest.status}`}>{WINDOW_STATUS_LABEL[m.latest.status]}</span> : <span className="muted">not checked</span>}
                        </span>
                      ))
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
