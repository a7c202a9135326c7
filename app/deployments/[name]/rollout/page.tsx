import Link from "next/link";
import { headers } from "next/headers";
import { api } from "@/app/lib/server-api";
import { viewer } from "@/app/lib/viewer";
import { formatDate, formatNumber } from "@/app/lib/format";
import { decodeSegment, encoderHref, versionHref } from "@/app/lib/encoder-registry";
import { hasScope } from "@/server/auth/principal";
import { orNotFound } from "../../../encoders/not-found-on";
import { deploymentHref, deploymentsHref } from "../../monitoring";
import {
  describeFallback,
  describeGuardrails,
  describeHashing,
  describeRule,
  experimentHref,
  featuresPath,
  formatAgreement,
  formatCheckValue,
  formatInterval,
  formatLift,
  formatMean,
  formatMs,
  formatP,
  formatShare,
  liftVerdict,
  RAMP_STATUS_LABEL,
  rampActionsFor,
  rampInProgress,
  stepStates,
} from "../../rollout";
import { FlagEditor } from "./flag-editor";
import { RampActions, StartRampForm } from "./ramp-forms";
import { LiftChart } from "./lift-chart";
import { ShadowCharts, ShadowForm } from "./shadow-forms";
import "../../../encoders/registry.css";
import "../../monitoring.css";
import "../../rollout.css";

export const dynamic = "force-dynamic";

type Caller = Awaited<ReturnType<typeof api>>;
type Overview = Awaited<ReturnType<Caller["rollout"]["overview"]>>;
type Results = Awaited<ReturnType<Caller["rollout"]["results"]>>;

/** The origin SDKs reach this server at, as the browser reached it. */
async function origin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  return `${h.get("x-forwarded-proto") ?? "http"}://${host}`;
}

/**
 * A deployment's rollout: its flag (which version each user gets), the ramp of a candidate with its
 * guardrails, the experiments' results per metric and variation, and the shadow candidate's agreement.
 */
export default async function RolloutPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<{ experiment?: string | string[] }> }) {
  const name = decodeSegment((await params).name);
  const caller = await api();
  const overview = await orNotFound(caller.rollout.overview({ name }));
  const { deployment, ramp, experiments, versions, metrics } = overview;
  const { principal } = await viewer();
  const isAdmin = hasScope(principal, "admin");
  const production = versions.find((v) => v.stage === "production")?.version ?? null;
  const asked = (await searchParams).experiment;
  const selectedKey = (Array.isArray(asked) ? asked[0] : asked) ?? experiments[0]?.key;
  const selected = experiments.find((e) => e.key === selectedKey) ?? null;
  const results = selected ? await caller.rollout.results({ name: deployment.name, key: selected.key }) : null;
  // the cumulative lift over time of the first few metrics
  const lifts = results ? await Promise.all(results.metrics.slice(0, 4).map(async (m) => ({ metric: m.key, points: await caller.rollout.liftOverTime({ name: deployment.name, key: results.experiment, metric: m.key }) }))) : [];
  const versionChoices = versions.map((v) => ({ version: v.version, stage: v.stage }));

  return (
    <>
      <p className="subtitle">
        <Link href={deploymentsHref}>Deployments</Link> / <Link href={deploymentHref(deployment.name)}>{deployment.name}</Link> / rollout
      </p>
      <h1>Rollout of {deployment.name}</h1>
      <p className="subtitle">
        Which version of <Link href={encoderHref(deployment.encoderName)}>{deployment.encoderName}</Link> each user gets, ramps of a candidate, experiments and shadow tests.
      </p>
      <nav className="rollout-nav">
        <a href="#flag">Flag</a>
        <a href="#ramp">Ramp</a>
        <a href="#experiments">Experiments</a>
        <a href="#shadow">Shadow</a>
      </nav>

      <FlagSection overview={overview} production={production} isAdmin={isAdmin} origin={await origin()} versions={versionChoices} />
      <RampSection deployment={deployment.name} encoderName={deployment.encoderName} ramp={ramp} isAdmin={isAdmin} production={production} versions={versionChoices} metrics={metrics.map((m) => ({ key: m.key, guardrail: m.guardrail }))} />

      <section id="experiments">
        <h2>Experiments</h2>
        {experiments.length === 0 ? (
          <p className="hint" data-testid="experiments-empty">
            No experiment has exposed a user yet. An experiment rule of the flag (or a ramp) records each user&apos;s first exposure; events logged for them afterwards (POST /api/v1/events) are its outcomes.
          </p>
        ) : (
          <div className="table-scroll rollout-narrow">
            <table className="grid" data-testid="experiments">
              <thead>
                <tr>
                  <th>Experiment</th>
                  <th className="num">Users</th>
                  <th>First exposure</th>
                  <th>Last exposure</th>
                </tr>
              </thead>
              <tbody>
                {experiments.map((e) => (
                  <tr key={e.key} className={e.key === selected?.key ? "selected" : undefined} data-testid={`experiment-${e.key}`}>
                    <td>
                      <Link href={experimentHref(deployment.name, e.key)}>{e.key}</Link>
                    </td>
                    <td className="num">{formatNumber(e.users)}</td>
                    <td>{formatDate(e.firstExposure)}</td>
                    <td>{formatDate(e.lastExposure)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selectedKey && !selected && (
          <p className="hint" data-testid="experiment-unknown">
            No users were exposed to an experiment “{selectedKey}” on this deployment.
          </p>
        )}
        {results && <ExperimentResults results={results} />}
        {lifts.length > 0 && (
          <div className="charts" data-testid="lift-charts">
            {lifts.map((l) => (
              <LiftChart key={l.metric} metric={l.metric} points={l.points} />
            ))}
          </div>
        )}
      </section>

      <ShadowSection overview={overview} isAdmin={isAdmin} versions={versionChoices} production={production} />
    </>
  );
}

function FlagSection({ overview, production, isAdmin, origin, versions }: { overview: Overview; production: number | null; isAdmin: boolean; origin: string; versions: { version: number; stage: string }[] }) {
  const { deployment, flag, ramp } = overview;
  const owned = ramp && rampInProgress(ramp.ramp.status);
  return (
    <section className="registry-section" id="flag">
      <h2>Flag</h2>
      <ol className="flag-rules" data-testid="flag-rules">
        {flag.rules.map((r) => (
          <li key={r.id}>
            {describeRule(r)}
            {describeHashing(r) && <span className="muted"> · {describeHashing(r)}</span>}
          </li>
        ))}
        <li className="fallback">{describeFallback(flag.rules, production)}</li>
      </ol>
      <p className="hint">
        {flag.rules.length > 1 ? "The first rule that takes a user decides. " : ""}
        {flag.updatedAt ? `Set by ${flag.updatedBy} at ${formatDate(flag.updatedAt)} UTC.` : "No rules set yet."}
        {owned && ` Ramp ${ramp.ramp.id} owns these rules while it is ${RAMP_STATUS_LABEL[ramp.ramp.status]}.`}
      </p>
      <div className="sdk-connection" data-testid="sdk-connection">
        <span>SDK connection</span>
        {flag.clientKey ? (
          <>
            <code>{flag.clientKey}</code> · <a href={featuresPath(flag.clientKey)}>{featuresPath(flag.clientKey)}</a>
            <p className="hint">
              Point a GrowthBook SDK at Pretext: <code>{`new GrowthBook({ apiHost: "${origin}", clientKey: "${flag.clientKey}" })`}</code>; the feature <code>{deployment.name}</code> gives each user the version Pretext would serve them.
            </p>
          </>
        ) : (
          <span className="muted"> none yet: setting the rules creates its client key.</span>
        )}
      </div>
      {isAdmin ? <FlagEditor deployment={deployment.name} rules={flag.rules} versions={versions} rampOwned={Boolean(owned)} /> : <p className="hint">An admin can change the rules.</p>}
    </section>
  );
}

function RampSection({
  deployment,
  encoderName,
  ramp,
  isAdmin,
  production,
  versions,
  metrics,
}: {
  deployment: string;
  encoderName: string;
  ramp: Overview["ramp"];
  isAdmin: boolean;
  production: number | null;
  versions: { version: number; stage: string }[];
  metrics: { key: string; guardrail: boolean }[];
}) {
  const canStart = !ramp || !rampInProgress(ramp.ramp.status);
  return (
    <section className="registry-section" id="ramp">
      <h2>
        Ramp{" "}
        {ramp && (
          <span className={`ramp-status ramp-status-${ramp.ramp.status}`} data-testid="ramp-status">
            {RAMP_STATUS_LABEL[ramp.ramp.status]}
          </span>
        )}
      </h2>
      {!ramp ? (
        <p className="hint" data-testid="ramp-empty">
          No ramp yet. A ramp serves a candidate version to a growing share of users, step by step, and rolls back to production at the first failing guardrail.
        </p>
      ) : (
        <>
          <p className="hint" data-testid="ramp-summary">
            Ramp {ramp.ramp.id}:{" "}
            <Link href={versionHref(encoderName, ramp.ramp.candidateVersion)}>v{ramp.ramp.candidateVersion}</Link> against <Link href={versionHref(encoderName, ramp.ramp.baselineVersion)}>v{ramp.ramp.baselineVersion}</Link>, started {formatDate(ramp.ramp.createdAt)} by {ramp.ramp.createdBy}
            {ramp.ramp.status === "running" && `; this step since ${formatDate(ramp.ramp.stepStartedAt)}`}. Its users are in the experiment <Link href={experimentHref(deployment, `ramp-${ramp.ramp.id}`)}>ramp-{ramp.ramp.id}</Link>.
          </p>
          <ol className="ramp-steps" data-testid="ramp-steps">
            {stepStates(ramp.ramp.steps, ramp.ramp.stepIndex, ramp.ramp.status).map((state, i) => {
              const step = ramp.ramp.steps[i];
              const stopped = ramp.ramp.status === "rolled_back" && state === "current";
              return (
                <li key={i} className={`ramp-step ramp-step-${stopped ? "stopped" : state}`} data-testid={`ramp-step-${i}`}>
                  <span className="ramp-step-mark">{state === "done" ? "✓" : stopped ? "✕" : i + 1}</span>
                  <strong>{formatShare(step.share)}</strong>
                  <small>
                    ≥ {formatNumber(step.minMinutes)} min · ≥ {formatNumber(step.minUsers)} users
                  </small>
                </li>
              );
            })}
          </ol>
          {isAdmin && rampActionsFor(ramp.ramp.status).length > 0 && <RampActions id={ramp.ramp.id} actions={rampActionsFor(ramp.ramp.status)} candidate={ramp.ramp.candidateVersion} baseline={ramp.ramp.baselineVersion} />}

          <h3>Guardrails</h3>
          <p className="hint" data-testid="ramp-guardrails">
            Set: {describeGuardrails(ramp.ramp.guardrails)}.{" "}
            {rampInProgress(ramp.ramp.status) ? "As they read now:" : ramp.checks.length ? "As they read when it ended:" : ramp.ramp.status === "rolled_back" || ramp.ramp.status === "promoted" ? "No readings were kept when it ended." : ""}
          </p>
          {ramp.checks.length > 0 && (
            <div className="table-scroll rollout-narrow">
              <table className="grid" data-testid="ramp-checks">
                <thead>
                  <tr>
                    <th>Guardrail</th>
                    <th className="num">Value</th>
                    <th>Limit</th>
                    <th>Verdict</th>
                    <th>Note</th>
                  </tr>
                </thead>
                <tbody>
                  {ramp.checks.map((c) => (
                    <tr key={c.guardrail} className={c.failed ? "drift-row" : undefined}>
                      <td>{c.guardrail}</td>
                      <td className="num">{formatCheckValue(c)}</td>
                      <td>{c.limit}</td>
                      <td>{c.failed ? <span className="fail-text">failed</span> : c.note ? <span className="muted">no verdict yet</span> : <span className="pass-text">ok</span>}</td>
                      <td className="wrap">{c.note ?? <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <h3>History</h3>
          <div className="table-scroll rollout-narrow">
            <table className="grid" data-testid="ramp-history">
              <thead>
                <tr>
                  <th>Time (UTC)</th>
                  <th>Action</th>
                  <th className="num">Share</th>
                  <th>By</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {ramp.events.map((e) => (
                  <tr key={e.id}>
                    <td>{formatDate(e.at)}</td>
                    <td>{e.action}</td>
                    <td className="num">{formatShare(e.share)}</td>
                    <td>{e.actor}</td>
                    <td className="wrap">{e.detail || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {isAdmin && canStart && <StartRampForm deployment={deployment} versions={versions} production={production} metrics={metrics} />}
    </section>
  );
}

function ExperimentResults({ results }: { results: Results }) {
  const total = results.variations.reduce((s, v) => s + v.users, 0);
  return (
    <div data-testid="experiment-results">
      <h3>
        Results of {results.experiment}
      </h3>
      {results.srm.health === "unhealthy" && (
        <div className="collapse-banner" role="alert" data-testid="srm-banner">
          <strong>Sample ratio mismatch</strong>
          <span>
            Users did not reach the variations in the split&apos;s proportions (p = {formatP(results.srm.pValue)}): the assignment or the exposure logging is broken, and these results cannot be trusted.
          </span>
        </div>
      )}
      {results.srm.health === "not-enough-traffic" && (
        <div className="note-box" data-testid="srm-note">
          Too few users yet to check the split (sample ratio).
        </div>
      )}
      <p className="hint" data-testid="variation-split">
        {results.variations.map((v, i) => (
          <span key={v.variationId}>
            {i > 0 && " · "}v{v.version}
            {v.variationId === 0 && " (control)"}: {formatNumber(v.users)} users ({total ? formatShare(v.users / total) : "—"}, expected {formatShare(v.expectedShare)})
          </span>
        ))}
        {results.srm.health === "healthy" && <> · split as expected (SRM p = {formatP(results.srm.pValue)})</>}
      </p>
      {results.metrics.length === 0 ? (
        <p className="hint">No outcome metrics defined yet (POST /api/v1/metrics).</p>
      ) : (
        <div className="table-scroll">
          <table className="grid results-table" data-testid="results-table">
            <thead>
              <tr>
                <th>Metric</th>
                <th>Variation</th>
                <th className="num">Users</th>
                <th className="num">Mean</th>
                <th className="num" title="relative to the control, with its 95 % confidence interval">
                  Lift (95 % CI)
                </th>
                <th className="num" title="always valid while the experiment runs and is looked at">
                  Sequential CI
                </th>
                <th className="num">p-value</th>
                <th className="num">Chance to win</th>
                <th className="num" title="expected loss, relative, of choosing this variation">
                  Risk
                </th>
              </tr>
            </thead>
            <tbody>
              {results.metrics.flatMap((m) =>
                m.variations.map((v, i) => {
                  const c = v.comparison;
                  const verdict = c && !c.error ? liftVerdict(c.ci, m.goal) : "unclear";
                  return (
                    <tr key={`${m.key}/${v.variationId}`} className={v.variationId === 0 ? "control-row" : undefined} data-testid={`result-${m.key}-v${v.version}`}>
                      {i === 0 && (
                        <td rowSpan={m.variations.length} className="metric-cell">
                          {m.key}
                          {m.guardrail && <span className="guardrail-mark">guardrail</span>}
                          <span className="sub">
                            {m.kind}, {m.goal === "increase" ? "higher" : "lower"} is better
                          </span>
                        </td>
                      )}
                      <td>
                        v{v.version}
                        {v.variationId === 0 && <span className="control-mark">control</span>}
                      </td>
                      <td className="num">{formatNumber(v.users)}</td>
                      <td className="num">{formatMean(m.kind, v.mean)}</td>
                      {!c ? (
                        <td className="num muted" colSpan={5}>
                          baseline
                        </td>
                      ) : c.error ? (
                        <td className="muted" colSpan={5}>
                          {c.error}
                        </td>
                      ) : (
                        <>
                          <td className={`num ${verdict === "unclear" ? "" : verdict}`}>
                            {formatLift(c.effect)} <span className="ci">{formatInterval(c.ci)}</span>
                          </td>
                          <td className="num">{c.sequential ? formatInterval(c.sequential.ci) : "—"}</td>
                          <td className="num">{formatP(c.pValue)}</td>
                          <td className="num">{formatShare(c.chanceToWin)}</td>
                          <td className="num" title={`of keeping the control: ${formatShare(c.risk[0])}`}>
                            {formatShare(c.risk[1])}
                          </td>
                        </>
                      )}
                    </tr>
                  );
                }),
              )}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">Each user counts once, in the variation of their first exposure, with their events after it. Green: the interval lies wholly on the better side; red: on the worse side.</p>
    </div>
  );
}

function ShadowSection({ overview, isAdmin, versions, production }: { overview: Overview; isAdmin: boolean; versions: { version: number; stage: string }[]; production: number | null }) {
  const { shadow, deployment } = overview;
  const config = shadow.config;
  return (
    <section className="registry-section" id="shadow">
      <h2>Shadow</h2>
      <p className="hint" data-testid="shadow-config">
        {config
          ? `v${config.version} gets a copy of ${formatShare(config.share)} of requests after each response, set by ${config.updatedBy} at ${formatDate(config.updatedAt)} UTC; its answers are compared with what was served, and never reach callers.`
          : "No shadow candidate. A candidate gets a copy of live requests after each response, and its answers are compared with what was served; callers never see them."}
      </p>
      {isAdmin && <ShadowForm key={config ? `${config.version}/${config.share}` : "none"} deployment={deployment.name} config={config ? { version: config.version, share: config.share } : null} versions={versions} production={production} />}
      <h3>Last {shadow.hours} hours</h3>
      <div className="facts" data-testid="shadow-summary">
        <div>
          <span>Mirrored</span>
          {formatNumber(shadow.mirrored)} requests
        </div>
        <div>
          <span>Failed</span>
          {shadow.failed > 0 ? <strong className="fail-text">{formatNumber(shadow.failed)}</strong> : "0"}
        </div>
        <div>
          <span>Cosine mean</span>
          {formatAgreement(shadow.cosineMean)}
        </div>
        <div>
          <span>Cosine min</span>
          {formatAgreement(shadow.cosineMin)}
        </div>
        <div>
          <span>Neighbour overlap</span>
          {formatAgreement(shadow.neighbourOverlap)}
        </div>
        <div>
          <span>Prediction agreement</span>
          {shadow.predictionAgreement === null ? "—" : formatShare(shadow.predictionAgreement)}
        </div>
        <div>
          <span>p50 candidate / primary</span>
          {formatMs(shadow.p50Ms)} / {formatMs(shadow.primaryP50Ms)}
        </div>
        <div>
          <span>p99 candidate / primary</span>
          {formatMs(shadow.p99Ms)} / {formatMs(shadow.primaryP99Ms)}
        </div>
      </div>
      {shadow.series.length === 0 ? (
        <div className="empty chart-sized" data-testid="shadow-no-series">
          Nothing mirrored in the last {shadow.hours} hours.
        </div>
      ) : (
        <ShadowCharts series={shadow.series} />
      )}
    </section>
  );
}
