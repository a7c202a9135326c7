import Link from "next/link";
import { Fragment } from "react";
import { api } from "@/app/lib/server-api";
import { formatBytes, formatDate, formatNumber } from "@/app/lib/format";
import { artifactHref, decodeSegment, encoderHref, encodersHref, metricText } from "@/app/lib/encoder-registry";
import { StageBadge } from "@/app/components/stage-badge";
import { StatusBadge } from "@/app/components/status-badge";
import { LabelEfficiencyChart } from "@/app/components/label-efficiency-chart";
import { describeRule } from "@/server/registry/gates";
import { sampleSize } from "@/server/registry/model-spec";
import { deploymentHref } from "@/app/deployments/monitoring";
import { orNotFound } from "../../../not-found-on";
import { StageActions } from "./stage-actions";
import "../../../registry.css";

export const dynamic = "force-dynamic";

type Lineage = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["registry"]["version"]>>;
type ArtifactSummary = NonNullable<Lineage["weights"]>;

/** One version: where it came from (run → weights → dataset → evaluations → deployments), what it serves, its gate and its stage history. */
export default async function EncoderVersionPage({ params }: { params: Promise<{ name: string; version: string }> }) {
  const { name: rawName, version: rawVersion } = await params;
  const name = decodeSegment(rawName);
  const caller = await api();
  const id = await orNotFound(caller.registry.versionId({ name, version: Number(rawVersion) }));
  const lineage = await orNotFound(caller.registry.version({ id }));
  const { encoder, run, weights, onnx, head, headRunId, dataset, evaluations, curve, deployments, gate, history } = lineage;
  const evaluationRuns = [...new Map(evaluations.map((e) => [e.id, { ...e, benchmarks: evaluations.filter((x) => x.id === e.id).map((x) => x.benchmark) }])).values()];
  const spec = encoder.modelSpec;

  return (
    <>
      <p className="subtitle">
        <Link href={encodersHref}>Encoders</Link> / <Link href={encoderHref(name)}>{name}</Link> / v{encoder.version}
      </p>
      <div className="title-row">
        <h1>
          {name} v{encoder.version} <StageBadge stage={encoder.stage} />
        </h1>
      </div>
      <StageActions id={encoder.id} stage={encoder.stage} />
      <div className="facts">
        <div><span>Format</span>{encoder.format === "pretext" ? "Pretext encoder (exported to ONNX)" : "ONNX model"}</div>
        <div><span>Embedding dim</span>{formatNumber(encoder.embeddingDim)}</div>
        <div><span>Registered</span>{formatDate(encoder.createdAt)}</div>
        <div><span>Id</span>{encoder.id}</div>
        {encoder.description && <div><span>Description</span>{encoder.description}</div>}
      </div>

      <section>
        <h2>Lineage</h2>
        <div className="lineage" data-testid="lineage">
          <Step label="Run" missing={!run}>
            {run ? (
              <>
                <Link href={`/runs/${run.id}`}>{run.name}</Link> <StatusBadge status={run.status} />
                <small>run {run.id}</small>
              </>
            ) : (
              "not recorded (deleted?)"
            )}
          </Step>
          <Arrow />
          <Step label="Weights" missing={!weights}>
            {weights ? (
              <>
                <ArtifactLink artifact={weights} />
                <small>
                  {formatBytes(weights.bytes)} · sha256 {weights.sha256.slice(0, 12)}…
                </small>
              </>
            ) : (
              "none registered"
            )}
            {head && (
              <small>
                + head <ArtifactLink artifact={head} /> {headRunId !== null && <>from <Link href={`/runs/${headRunId}`}>run {headRunId}</Link></>}
              </small>
            )}
          </Step>
          <Arrow />
          <Step label="Dataset" missing={!dataset}>
            {dataset ? (
              <>
                {dataset.name}
                <small>{formatNumber(dataset.count)} examples</small>
              </>
            ) : (
              "not recorded"
            )}
          </Step>
          <Arrow />
          <Step label="Evaluations" missing={evaluationRuns.length === 0}>
            {evaluationRuns.length === 0
              ? "none yet"
              : evaluationRuns.map((e) => (
                  <div key={e.id}>
                    <Link href={`/runs/${e.id}`}>{e.name}</Link>
                    <small>{e.benchmarks.join(", ")}</small>
                  </div>
                ))}
          </Step>
          <Arrow />
          <Step label="Deployments" missing={deployments.length === 0}>
            {deployments.length === 0
              ? "none"
              : deployments.map((d) => (
                  <div key={d.id}>
                    <Link href={deploymentHref(d.name)}>{d.name}</Link>
                    <small>{d.serving ? "serves this version" : "serves the production version"}</small>
                  </div>
                ))}
          </Step>
        </div>
      </section>

      <div className="charts registry-section">
        <section>
          <h2>ONNX model</h2>
          {onnx ? (
            <table className="grid kv" data-testid="onnx">
              <tbody>
                <tr>
                  <td>File</td>
                  <td>
                    <ArtifactLink artifact={onnx} />
                  </td>
                </tr>
                <tr>
                  <td>Size</td>
                  <td>{formatBytes(onnx.bytes)}</td>
                </tr>
                <tr>
                  <td>sha256</td>
                  <td className="sha wrap">{onnx.sha256}</td>
                </tr>
                <tr>
                  <td>Stored on</td>
                  <td>
                    <Link href={`/runs/${onnx.runId}`}>run {onnx.runId}</Link>
                  </td>
                </tr>
              </tbody>
            </table>
          ) : (
            <p className="hint">No ONNX model: this version has nothing to serve and cannot go to production.</p>
          )}
        </section>
        <section>
          <h2>Model spec</h2>
          {spec ? (
            <table className="grid kv" data-testid="model-spec">
              <tbody>
                <tr><td>Input</td><td>{spec.inputName}: [{spec.shape.join(", ")}] {spec.layout} · {formatNumber(sampleSize(spec))} values per sample</td></tr>
                <tr><td>Preprocessing</td><td>{preprocessing(spec)}</td></tr>
                <tr><td>Outputs</td><td>{spec.embeddingOutput} [n, {formatNumber(encoder.embeddingDim)}]{spec.probabilitiesOutput ? `, ${spec.probabilitiesOutput} [n, classes]` : ""}</td></tr>
              </tbody>
            </table>
          ) : (
            <p className="hint">No model spec: how to call this version is not known.</p>
          )}
          <details className="config">
            <summary>Architecture</summary>
            <pre className="log">{prettyJson(encoder.architecture)}</pre>
          </details>
        </section>
      </div>

      <section className="registry-section">
        <h2>Gate checks now</h2>
        {gate.length === 0 ? (
          <p className="hint" data-testid="gate-checks">
            {name} has no promotion gate (<Link href={encoderHref(name)}>set one</Link>): production needs only a model to serve.
          </p>
        ) : (
          <table className="grid" data-testid="gate-checks">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Result</th>
                <th className="num">Measured</th>
                <th className="num">Required</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {gate.map((c, i) => (
                <tr key={i}>
                  <td className="wrap">{describeRule(c.rule)}</td>
                  <td className={c.passed ? "pass" : "fail"}>{c.passed ? "✓ passes" : "✗ fails"}</td>
                  <td className="num">{c.value === null ? "—" : metricText(c.rule.metric, c.value)}</td>
                  <td className="num">{c.required === null ? "—" : metricText(c.rule.metric, c.required)}</td>
                  <td className="wrap">{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {curve && curve.series.length > 0 && (
        <section>
          <h2>Label efficiency — {curve.benchmark}</h2>
          <div className="chart registry-section">
            <LabelEfficiencyChart curve={curve} />
          </div>
        </section>
      )}

      <section className="registry-section">
        <h2>Stage history</h2>
        {history.length === 0 ? (
          <p className="hint" data-testid="stage-history">
            Never moved: registered without a stage.
          </p>
        ) : (
          <table className="grid" data-testid="stage-history">
            <thead>
              <tr>
                <th>When</th>
                <th>Change</th>
                <th>By</th>
                <th>Why</th>
                <th>Gate checks</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDate(h.createdAt)}</td>
                  <td>
                    <StageBadge stage={h.fromStage} /> → <StageBadge stage={h.toStage} />
                  </td>
                  <td>{h.actor}</td>
                  <td className="wrap">{h.reason}</td>
                  <td className="wrap">
                    {h.gateChecks.length === 0
                      ? <span className="muted">—</span>
                      : h.gateChecks.map((c, i) => (
                          <Fragment key={i}>
                            {i > 0 && <br />}
                            <span className={c.passed ? "pass-text" : "fail-text"}>{c.passed ? "✓" : "✗"}</span> {c.detail}
                          </Fragment>
                        ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Step({ label, missing, children }: { label: string; missing: boolean; children: React.ReactNode }) {
  return (
    <div className={missing ? "lineage-step missing" : "lineage-step"}>
      <span className="lineage-label">{label}</span>
      {children}
    </div>
  );
}

function Arrow() {
  return (
    <div className="lineage-arrow" aria-hidden>
      →
    </div>
  );
}

function ArtifactLink({ artifact }: { artifact: ArtifactSummary }) {
  return (
    <a href={artifactHref(artifact.runId, artifact.name)} download={artifact.name.split("/").at(-1)} title={`sha256 ${artifact.sha256}`}>
      {artifact.name}
    </a>
  );
}

/** x' = (x · scale − mean) / std, as a reader writes it: "x ÷ 255" rather than "x · 0.003922". */
function preprocessing(spec: NonNullable<Lineage["encoder"]["modelSpec"]>): string {
  const inverse = 1 / spec.scale;
  const scaled = spec.scale === 1 ? "x" : Math.abs(inverse - Math.round(inverse)) < 1e-9 ? `x ÷ ${formatNumber(Math.round(inverse))}` : `x · ${formatNumber(spec.scale)}`;
  const centred = spec.mean ? `(${scaled} − [${spec.mean.map(formatNumber).join(", ")}])` : scaled;
  const whole = spec.std ? `${centred} ÷ [${spec.std.map(formatNumber).join(", ")}]` : centred;
  return whole === "x" ? "none: raw values" : whole;
}

/** The architecture as stored: JSON (a Pretext encoder's layers) indented, anything else as written. */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
