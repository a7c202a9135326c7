"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { parseSteps } from "../../rollout";
import { numberOf, addressList } from "@/app/lib/form-input";

type Action = "pause" | "resume" | "promote" | "rollback";

const LABELS: Record<Action, string> = { pause: "Pause", resume: "Resume", promote: "Promote", rollback: "Roll back" };
/** Actions asked twice: they end the ramp. */
const CONFIRM: Partial<Record<Action, (candidate: number, baseline: number) => string>> = {
  promote: (candidate) => `Make v${candidate} production`,
  rollback: (_, baseline) => `Serve v${baseline} to everyone`,
};

/** Pause, resume, promote or roll back a ramp, as its status allows; promote and roll back ask once more. */
export function RampActions({ id, actions, candidate, baseline }: { id: number; actions: Action[]; candidate: number; baseline: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: Action) => {
    setBusy(true);
    setError(null);
    try {
      await trpc.rollout.rampAction.mutate({ id, action });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };
  return (
    <div className="ramp-actions" data-testid="ramp-actions">
      {confirming ? (
        <>
          <span>{CONFIRM[confirming]!(candidate, baseline)}?</span>
          <button type="button" className={`button ${confirming === "rollback" ? "danger" : "primary"}`} disabled={busy} onClick={() => void run(confirming)}>
            {confirming === "rollback" ? "Yes, roll back" : "Yes, promote"}
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </>
      ) : (
        actions.map((a) => (
          <button key={a} type="button" className={`button${a === "rollback" ? " danger" : ""}`} disabled={busy} onClick={() => (CONFIRM[a] ? setConfirming(a) : void run(a))}>
            {LABELS[a]}
          </button>
        ))
      )}
      {error && (
        <span className="inline-error" data-testid="ramp-action-error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * Starts a ramp of a candidate version (admin): steps as percents of users, each held at least so
 * long and until so many users saw the candidate; guardrails that roll it back. The server checks
 * every field (server/rollout/ramp.ts); its refusal is shown under the form.
 */
export function StartRampForm({ deployment, versions, production, metrics }: { deployment: string; versions: { version: number; stage: string }[]; production: number | null; metrics: { key: string; guardrail: boolean }[] }) {
  const router = useRouter();
  const candidates = versions.filter((v) => v.version !== production);
  const [version, setVersion] = useState(String(candidates[0]?.version ?? ""));
  const [steps, setSteps] = useState("5, 25, 50, 100");
  const [minMinutes, setMinMinutes] = useState("60");
  const [minUsers, setMinUsers] = useState("100");
  const [maxErrorRate, setMaxErrorRate] = useState("1");
  const [maxP99, setMaxP99] = useState("");
  const [chosen, setChosen] = useState<string[]>(metrics.filter((m) => m.guardrail).map((m) => m.key));
  const [recipients, setRecipients] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.rollout.startRamp.mutate({
        name: deployment,
        version: numberOf(version),
        steps: parseSteps(steps, numberOf(minMinutes), numberOf(minUsers)),
        guardrails: {
          maxErrorRate: maxErrorRate.trim() === "" ? null : numberOf(maxErrorRate) / 100,
          maxP99Ms: maxP99.trim() === "" ? null : numberOf(maxP99),
          metrics: metrics.map((m) => m.key).filter((k) => chosen.includes(k)),
        },
        recipients: addressList(recipients),
      });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="registry-panel monitor-form"
      data-testid="start-ramp"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Start a ramp</h3>
      {production === null ? (
        <p className="hint">The encoder has no production version to ramp from: promote one first.</p>
      ) : (
        <>
          <div className="registry-form">
            <label>
              Candidate
              <select value={version} onChange={(e) => setVersion(e.target.value)} aria-label="candidate version">
                {candidates.map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    v{v.version}
                    {v.stage !== "none" ? ` (${v.stage})` : ""}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Steps (% of users)
              <input className="steps" value={steps} onChange={(e) => setSteps(e.target.value)} aria-label="steps" placeholder="5, 25, 50, 100" />
            </label>
            <label>
              Each at least (min)
              <input type="number" step="any" value={minMinutes} onChange={(e) => setMinMinutes(e.target.value)} aria-label="min minutes" />
            </label>
            <label>
              and users on it
              <input type="number" step={1} value={minUsers} onChange={(e) => setMinUsers(e.target.value)} aria-label="min users" />
            </label>
          </div>
          <div className="registry-form">
            <fieldset>
              <legend>Guardrails: the first that fails rolls back to v{production}</legend>
              <label>
                Max error rate %
                <input type="number" step="any" value={maxErrorRate} onChange={(e) => setMaxErrorRate(e.target.value)} aria-label="max error rate" placeholder="none" />
              </label>
              <label>
                Max p99 (ms)
                <input type="number" step="any" value={maxP99} onChange={(e) => setMaxP99(e.target.value)} aria-label="max p99" placeholder="none" />
              </label>
              {metrics.length > 0 && (
                <div className="checks" role="group" aria-label="guardrail metrics">
                  {metrics.map((m) => (
                    <label key={m.key}>
                      <input type="checkbox" checked={chosen.includes(m.key)} aria-label={`guardrail ${m.key}`} onChange={(e) => setChosen((all) => (e.target.checked ? [...all, m.key] : all.filter((k) => k !== m.key)))} />
                      {m.key}
                    </label>
                  ))}
                </div>
              )}
            </fieldset>
            <label>
              Email a rollback to (comma-separated)
              <input className="recipients" value={recipients} onChange={(e) => setRecipients(e.target.value)} aria-label="ramp recipients" placeholder="oncall@example.com" />
            </label>
            <button type="submit" className="button primary" disabled={busy || candidates.length === 0}>
              {busy ? "Starting…" : "Start ramp"}
            </button>
          </div>
          <p className="hint" style={{ margin: "6px 0 0" }}>
            A metric guardrail fails when its always-valid (sequential) interval lies wholly on the worse side. The ramp advances once a minute when the step has lasted and enough users saw the candidate.
          </p>
        </>
      )}
      {error && (
        <div className="error-box" data-testid="ramp-error">
          {error}
        </div>
      )}
    </form>
  );
}
