import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { formatDate, formatNumber } from "@/app/lib/format";
import { decodeSegment, embedCurl, encodersHref, versionHref } from "@/app/lib/encoder-registry";
import { StageBadge } from "@/app/components/stage-badge";
import { EncoderVersionsChart } from "@/app/components/encoder-versions-chart";
import { sampleSize } from "@/server/registry/model-spec";
import { deploymentHref } from "@/app/deployments/monitoring";
import { ComparePicker } from "../compare-picker";
import { orNotFound } from "../not-found-on";
import { CreateDeploymentForm } from "./create-deployment-form";
import { GateEditor } from "./gate-editor";
import "../registry.css";

export const dynamic = "force-dynamic";

/** One encoder name: its versions, their curves overlaid, its promotion gate and its deployments. */
export default async function EncoderPage({ params }: { params: Promise<{ name: string }> }) {
  const name = decodeSegment((await params).name);
  const caller = await api();
  const { versions, gate } = await orNotFound(caller.registry.versions({ name }));
  const deployments = await caller.registry.deployments({ encoderName: name });
  const production = versions.find((v) => v.stage === "production") ?? null;
  const staging = versions.filter((v) => v.stage === "staging");
  const newest = versions[0];
  const served = production ?? versions.find((v) => v.modelSpec) ?? null;
  const valuesPerSample = served?.modelSpec ? sampleSize(served.modelSpec) : null;
  const methods = [...new Set(versions.flatMap((v) => v.curve?.series.map((s) => s.method) ?? []))].sort();
  const compareA = production && production.id !== newest.id ? production : (versions[1] ?? newest);

  return (
    <>
      <p className="subtitle">
        <Link href={encodersHref}>Encoders</Link> / {name}
      </p>
      <h1>{name}</h1>
      <p className="subtitle">
        {versions.length} version{versions.length === 1 ? "" : "s"} · production{" "}
        {production ? <Link href={versionHref(name, production.version)}>v{production.version}</Link> : "none"}
        {staging.length > 0 && <> · staging {staging.map((v) => `v${v.version}`).join(", ")}</>}
      </p>

      <section className="registry-section">
        <h2>Versions</h2>
        <div className="table-scroll">
          <table className="grid" data-testid="versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Stage</th>
                <th>Format</th>
                <th className="num">Embedding dim</th>
                <th>Run</th>
                <th>Created</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <td>
                    <Link href={versionHref(name, v.version)}>v{v.version}</Link>
                  </td>
                  <td>
                    <StageBadge stage={v.stage} />
                  </td>
                  <td>{v.format}</td>
                  <td className="num">{formatNumber(v.embeddingDim)}</td>
                  <td>{v.runId === null ? <span className="muted">—</span> : <Link href={`/runs/${v.runId}`}>run {v.runId}</Link>}</td>
                  <td>{formatDate(v.createdAt)}</td>
                  <td className="wrap">{v.description || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {versions.length > 1 && (
          <>
            <h2>Compare two versions</h2>
            <ComparePicker name={name} versions={versions} a={compareA.id} b={newest.id} />
          </>
        )}
      </section>

      <section>
        <h2>Label efficiency by version</h2>
        <p className="hint">Each version&apos;s results for one SSL protocol against the baselines measured beside it. Error bars: std over seeds.</p>
        <div className="chart registry-section">
          <EncoderVersionsChart versions={versions.map((v) => ({ version: v.version, stage: v.stage, curve: v.curve }))} />
        </div>
      </section>

      <section className="registry-section">
        <h2>Promotion gate</h2>
        {gate && gate.rules.length > 0 ? (
          <>
            <p className="hint">
              A version reaches production only when its stored results meet every rule (means over seeds). Set by {gate.updatedBy}, {formatDate(gate.updatedAt)}.
            </p>
            <ul className="rule-list" data-testid="gate-rules">
              {gate.described.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          </>
        ) : (
          <p className="hint" data-testid="gate-rules">
            No gate: any version with a model to serve may go to production.
          </p>
        )}
        <GateEditor encoderName={name} rules={gate?.rules ?? []} methods={methods} />
      </section>

      <section className="registry-section" id="deployments">
        <h2>Deployments</h2>
        {deployments.length === 0 ? (
          <p className="hint">No deployments yet. A deployment serves this encoder&apos;s production version at its own URL.</p>
        ) : (
          <div className="table-scroll">
            <table className="grid" data-testid="deployments">
              <thead>
                <tr>
                  <th>Deployment</th>
                  <th className="num">Inputs sampled</th>
                  <th className="num">Kept</th>
                  <th>Serves</th>
                  <th>Last 24 h</th>
                  <th>Call it</th>
                </tr>
              </thead>
              <tbody>
                {deployments.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link href={deploymentHref(d.name)}>{d.name}</Link>
                      <small className="muted" style={{ display: "block" }}>
                        by {d.createdBy}, {formatDate(d.createdAt)}
                      </small>
                    </td>
                    <td className="num">{formatNumber(d.sampleRate * 100)} %</td>
                    <td className="num">{formatNumber(d.retentionDays)} days</td>
                    <td>{d.serving ? <Link href={versionHref(name, d.serving.version)}>v{d.serving.version}</Link> : <span className="muted">nothing: no production version</span>}</td>
                    <td data-testid="deployment-traffic">
                      {d.traffic.requests === 0 ? (
                        <span className="muted">no requests</span>
                      ) : (
                        <>
                          {formatNumber(d.traffic.requests)} {d.traffic.requests === 1 ? "request" : "requests"}, {formatNumber(d.traffic.samples)} {d.traffic.samples === 1 ? "input" : "inputs"}
                          <small className="muted" style={{ display: "block" }}>
                            {d.traffic.p50Ms === null ? "" : `p50 ${formatNumber(d.traffic.p50Ms)} ms · p99 ${formatNumber(d.traffic.p99Ms ?? 0)} ms · `}
                            {formatNumber(d.traffic.failed)} failed
                          </small>
                        </>
                      )}
                    </td>
                    <td className="wrap">
                      <pre className="curl">{embedCurl(d.name, valuesPerSample)}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <CreateDeploymentForm encoderName={name} suggestedName={deployments.length ? "" : name} />
      </section>
    </>
  );
}
