"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { numberOf, addressList } from "@/app/lib/form-input";

interface FigureChoice {
  name: string;
  verdict?: { direction: "above" | "below"; threshold: number };
}

/**
 * Adds an alert rule on one of the monitor's figures, starting from that figure's own threshold.
 * The server checks every field (server/alerts/rules.ts); its refusal is shown under the form.
 */
export function AddRuleForm({ monitorId, figures }: { monitorId: number; figures: FigureChoice[] }) {
  const router = useRouter();
  const first = figures.find((f) => f.verdict) ?? figures[0];
  const [name, setName] = useState("");
  const [figure, setFigure] = useState(first?.name ?? "");
  const [direction, setDirection] = useState<"above" | "below">(first?.verdict?.direction ?? "above");
  const [threshold, setThreshold] = useState(first?.verdict ? String(first.verdict.threshold) : "");
  const [consecutive, setConsecutive] = useState("2");
  const [cooldown, setCooldown] = useState("60");
  const [recipients, setRecipients] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const pick = (next: string) => {
    setFigure(next);
    const verdict = figures.find((f) => f.name === next)?.verdict;
    if (verdict) {
      setDirection(verdict.direction);
      setThreshold(String(verdict.threshold));
    }
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.monitoring.createRule.mutate({
        monitorId,
        name: name.trim(),
        figure,
        direction,
        threshold: numberOf(threshold),
        consecutive: numberOf(consecutive),
        cooldownMinutes: numberOf(cooldown),
        recipients: addressList(recipients),
      });
      setName("");
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="registry-panel"
      data-testid="add-rule"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Add an alert rule</h3>
      <div className="registry-form">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="rule name" placeholder="e.g. embedding drift" />
        </label>
        <label>
          Figure
          <select value={figure} onChange={(e) => pick(e.target.value)} aria-label="rule figure">
            {figures.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Fires when
          <select value={direction} onChange={(e) => setDirection(e.target.value as "above" | "below")} aria-label="rule direction">
            <option value="below">below</option>
            <option value="above">above</option>
          </select>
        </label>
        <label>
          Threshold
          <input type="number" step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-label="rule threshold" />
        </label>
        <label>
          Windows in a row
          <input type="number" step={1} value={consecutive} onChange={(e) => setConsecutive(e.target.value)} aria-label="rule consecutive" />
        </label>
        <label>
          Cooldown (min)
          <input type="number" step={1} value={cooldown} onChange={(e) => setCooldown(e.target.value)} aria-label="rule cooldown" />
        </label>
        <label>
          Email to (comma-separated)
          <input className="recipients" value={recipients} onChange={(e) => setRecipients(e.target.value)} aria-label="rule recipients" placeholder="oncall@example.com" />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Adding…" : "Add rule"}
        </button>
      </div>
      <p className="hint" style={{ margin: "6px 0 0" }}>
        A rule fires after that many windows in a row past its threshold and emails once per episode; firing again within the cooldown after it resolved continues the same episode, without a second email.
      </p>
      {error && (
        <div className="error-box" data-testid="rule-error">
          {error}
        </div>
      )}
    </form>
  );
}

/** Enables or disables a rule, or deletes it (after a second click). */
export function RuleActions({ id, name, enabled }: { id: number; name: string; enabled: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  return (
    <span className="rule-actions">
      <button type="button" className="button" disabled={busy} aria-label={`${enabled ? "disable" : "enable"} rule ${name}`} onClick={() => run(() => trpc.monitoring.updateRule.mutate({ id, update: { enabled: !enabled } }))}>
        {enabled ? "Disable" : "Enable"}
      </button>
      {confirming ? (
        <>
          <button type="button" className="button danger" disabled={busy} aria-label={`confirm delete rule ${name}`} onClick={() => run(() => trpc.monitoring.deleteRule.mutate({ id }))}>
            Delete it
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
            Keep
          </button>
        </>
      ) : (
        <button type="button" className="button" disabled={busy} aria-label={`delete rule ${name}`} onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
      {error && <span className="inline-error">{error}</span>}
    </span>
  );
}
