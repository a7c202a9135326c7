import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { formatBytes, formatDate, formatDuration } from "@/app/lib/format";
import { ValueText } from "@/app/components/value-text";
import { StatusBadge } from "@/app/components/status-badge";
import { RunCharts } from "@/app/components/metric-charts";
import { CancelButton, LaunchEvaluationButton } from "@/app/components/run-actions";
import { LabelEfficiencyChart } from "@/app/components/label-efficiency-chart";
import { EmbeddingMapView } from "@/app/components/embedding-map";
import { SweepChart } from "@/app/components/sweep-chart";
import { RegisterEncoderButton, type EncoderSource } from "@/app/components/register-encoder";
import { suggestedEncoderName } from "@/app/lib/encoder-registry";
import { isFollowed, isLive, runSignature } from "@/app/lib/run-signature";
import { EMBEDDING_MAP_ARTIFACT } from "@/server/services/embedding-map";
import { RunParams } from "./run-params";
import { RunTagFacts, RunTagOverflow } from "./run-tags";
import type { RunPageSearch } from "./show-all";
import "./run-page.css";

export const dynamic = "force-dynamic";

/** The artifacts a registration reads: a pretraining run's encoder, an evaluation's classification head. */
const ENCODER_FILE = "encoder.ptx";
const HEAD_FILE = "head.ptx";

export default async function RunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<RunPageSearch> }) {
  const id = Number((await params).id);
  const { tags: tagsShown, params: paramsShown } = await searchParams;
  const search: RunPageSearch = { tags: tagsShown, params: paramsShown };
  const caller = await api();
  const data = await caller.runs.get({ id }).catch((err) => {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
  const { run, params: runParams, metrics, artifacts } = data;
  const [experiment, attempts, sweep, curve] = await Promise.all([
    caller.experiments.get({ id: run.experimentId }),
    caller.runs.attempts({ id }),
    // a run merely tagged "sweep" (over the API) has no sweep config: no trials section, not an error
    run.tags.sweep ? caller.runs.sweep({ id }).catch((err) => (err instanceof TRPCError && err.code === "BAD_REQUEST" ? null : Promise.reject(err))) : null,
    caller.benchmarks.labelEfficiency({ runId: id }),
  ]);
  const live = isLive(run.status);
  const workerActive = attempts.some((a) => a.outcome === "running");
  const warning = run.tags.warning ?? null;
  const collapseWarning = warning?.startsWith("collapse:") ? warning : null;
  const hasEncoder = artifacts.some((a) => a.kind === "encoder");
  const registrable = run.status === "finished" ? encoderSources(run.id, run.config, artifacts) : [];
  const hasEmbeddingMap = artifacts.some((a) => a.name === EMBEDDING_MAP_ARTIFACT);
  const failures = attempts.filter((a) => a.error);
  const tags = Object.entries(run.tags).filter(([k]) => k !== "warning");
  return (
    <>
      <p className="subtitle">
        <Link href={`/experiments/${experiment.id}`}>{experiment.name}</Link>
        {run.parentRunId && (
          <>
            {" "}/ <Link href={`/runs/${run.parentRunId}`}>sweep {run.parentRunId}</Link>
          </>
        )}{" "}
        / run {run.id}
      </p>
      <div className="title-row">
        <h1>
          {run.name} <StatusBadge status={run.status} />
        </h1>
        <div className="actions">
          {registrable.map((r) => (
            <RegisterEncoderButton key={r.label} source={r.source} label={r.label} suggestedName={suggestedEncoderName(run)} />
          ))}
          {hasEncoder && run.status === "finished" && <LaunchEvaluationButton runId={run.id} />}
          {live && <CancelButton runId={run.id} />}
        </div>
      </div>
      {warning && !collapseWarning && <div className="warning">⚠ {warning}</div>}
      {collapseWarning && (
        <a className="warning" href="#health">
          ⚠ Representation collapse detected — see Representation health below
        </a>
      )}
      {run.statusReason && (
        <div className={run.status === "failed" ? "error-box" : "note-box"} data-testid="status-reason">
          {run.status === "failed" ? "Failed: " : ""}
          {run.statusReason}
        </div>
      )}
      <div className="facts">
        <div><span>Created</span>{formatDate(run.createdAt)}</div>
        <div><span>Started</span>{formatDate(run.startedAt)}</div>
        <div><span>Duration</span>{formatDuration(run.startedAt, run.endedAt)}</div>
        <div><span>Job</span>{run.jobKind ?? "—"}</div>
        <div><span>Backend</span>{run.backend ?? "—"}</div>
        <div><span>Device</span>{run.device ?? "—"}</div>
        <div><span>Worker</span>{run.worker ?? "—"}</div>
        <RunTagFacts tags={tags} search={search} />
      </div>
      <RunTagOverflow tags={tags} search={search} />
      {sweep && (
        <section>
          <h2>Trials — {sweep.goal} {sweep.metric}</h2>
          <SweepChart sweep={sweep} />
          <div className="table-scroll">
            <table className="grid" data-testid="sweep-trials">
              <thead>
                <tr>
                  <th>Trial</th>
                  <th>Status</th>
                  {sweep.parameters.map((p) => <th key={p}>{p}</th>)}
                  <th className="num">{sweep.metric}</th>
                </tr>
              </thead>
              <tbody>
                {sweep.trials.map((t) => (
                  <tr key={t.runId} className={sweep.best?.runId === t.runId ? "best" : undefined}>
                    <td><Link href={`/runs/${t.runId}`}>{t.name}</Link>{sweep.best?.runId === t.runId ? " ★" : ""}</td>
                    <td><StatusBadge status={t.status} /></td>
                    {sweep.parameters.map((p) => <td key={p}><ValueText value={t.params[p]} /></td>)}
                    <td className="num"><ValueText value={t.value} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {curve.series.length > 0 && (
        <section>
          <h2>
            Label efficiency — {curve.benchmark} {curve.encoder && <Link href={`/benchmarks?benchmark=${encodeURIComponent(curve.benchmark ?? "")}&encoder=${curve.encoder.id}`}>on the leaderboard</Link>}
          </h2>
          <div className="chart">
            <LabelEfficiencyChart curve={curve} />
          </div>
        </section>
      )}
      {hasEmbeddingMap && (
        <section id="embedding-map">
          <h2>Embedding map</h2>
          <EmbeddingMapView runId={run.id} />
        </section>
      )}
      <div className="two-col">
        <section>
          <h2>Params</h2>
          <RunParams params={runParams} search={search} />
          <h2>Artifacts</h2>
          {artifacts.length === 0 ? (
            <div className="empty">No artifacts.</div>
          ) : (
            <table className="grid" data-testid="artifacts">
              <tbody>
                {artifacts.map((a) => (
                  <tr key={a.id}>
                    <td className="path">
                      <a href={`/api/v1/runs/${run.id}/artifacts/${a.name}`} download={a.name.split("/").at(-1)} title={`sha256 ${a.sha256}`}>
                        {a.name}
                      </a>
                    </td>
                    <td>{a.kind}</td>
                    <td className="num">{formatBytes(a.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {attempts.length > 0 && (
            <>
              <h2>Attempts</h2>
              <table className="grid" data-testid="attempts">
                <tbody>
                  {attempts.map((a, i) => (
                    <tr key={a.id}>
                      <td>#{i + 1}</td>
                      <td>{a.workerId}</td>
                      <td>{a.outcome}</td>
                      <td>{a.resumedFromStep !== null ? `resumed at step ${a.resumedFromStep}` : formatDate(a.startedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {failures.length > 0 && (
            <>
              <h2>Logs</h2>
              {failures.map((a) => (
                <pre key={a.id} className="log" data-testid="attempt-error">
                  attempt on {a.workerId}, {formatDate(a.startedAt)}:{"\n"}
                  {a.error}
                </pre>
              ))}
            </>
          )}
          {Object.keys(run.config).length > 0 && (
            <details className="config">
              <summary>Config</summary>
              <pre className="log">{JSON.stringify(run.config, null, 2)}</pre>
            </details>
          )}
        </section>
        <RunCharts runId={run.id} metrics={metrics} live={isFollowed(run.status, workerActive)} signature={runSignature(run, artifacts, workerActive)} collapseWarning={collapseWarning} />
      </div>
    </>
  );
}

/**
 * What a finished run can register: its own encoder file, or (an evaluation that fitted a head) the
 * encoder it evaluated, served with that head.
 */
function encoderSources(runId: number, config: Record<string, unknown>, artifacts: { name: string }[]): { label: string; source: EncoderSource }[] {
  const has = (name: string) => artifacts.some((a) => a.name === name);
  const sources: { label: string; source: EncoderSource }[] = [];
  if (has(ENCODER_FILE)) sources.push({ label: "Register encoder", source: { runId, artifactName: ENCODER_FILE } });
  const evaluated = config.encoder as { runId?: unknown; artifact?: unknown } | undefined;
  if (has(HEAD_FILE) && typeof evaluated?.runId === "number" && typeof evaluated.artifact === "string") {
    sources.push({ label: "Register with this head", source: { runId: evaluated.runId, artifactName: evaluated.artifact, head: { runId, artifactName: HEAD_FILE } } });
  }
  return sources;
}
