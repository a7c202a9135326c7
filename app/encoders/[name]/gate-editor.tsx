"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { GateRule } from "@/drizzle/schema";
import { formatNumber } from "@/app/lib/format";
import { trpc } from "@/app/lib/trpc-client";

/** A rule as typed: the labeled fraction in percent, every number as its text until it is saved. */
interface RuleDraft {
  method: string;
  labelPercent: string;
  baseline: string;
  margin: string;
  benchmark: string;
  metric: string;
}

const draftOf = (r: GateRule): RuleDraft => ({
  method: r.method,
  labelPercent: formatNumber(r.labelFraction * 100),
  baseline: r.baseline ?? "",
  margin: String(r.margin),
  benchmark: r.benchmark ?? "",
  metric: r.metric,
});
const NEW_RULE: RuleDraft = { method: "linear_probe", labelPercent: "1", baseline: "supervised", margin: "0", benchmark: "", metric: "test_accuracy" };

/** The fields the server checks are left to it (gates.ts); only the text-to-number step happens here. */
function ruleOf(d: RuleDraft, i: number): GateRule {
  const number = (text: string, field: string) => {
    const v = Number(text.trim());
    if (text.trim() === "" || !Number.isFinite(v)) throw new Error(`rule ${i + 1}: ${field} must be a number`);
    return v;
  };
  return {
    method: d.method.trim(),
    labelFraction: number(d.labelPercent, "% labels") / 100,
    metric: d.metric.trim() || "test_accuracy",
    margin: number(d.margin, "margin"),
    ...(d.baseline.trim() ? { baseline: d.baseline.trim() } : {}),
    ...(d.benchmark.trim() ? { benchmark: d.benchmark.trim() } : {}),
  };
}

/** Sets the rules every version of `encoderName` must meet to reach production; no rules clears the gate. */
export function GateEditor({ encoderName, rules, methods }: { encoderName: string; rules: GateRule[]; methods: string[] }) {
  const router = useRouter();
  const [drafts, setDrafts] = useState<RuleDraft[]>(rules.length ? rules.map(draftOf) : [NEW_RULE]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const edit = (i: number, change: Partial<RuleDraft>) => {
    setSaved(false);
    setDrafts((all) => all.map((d, j) => (j === i ? { ...d, ...change } : d)));
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.registry.setGate.mutate({ encoderName, rules: drafts.map(ruleOf) });
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const cell = (i: number, field: keyof RuleDraft, label: string, extra: { list?: string; placeholder?: string } = {}) => (
    <input aria-label={`rule ${i + 1} ${label}`} value={drafts[i][field]} onChange={(e) => edit(i, { [field]: e.target.value })} {...extra} />
  );
  return (
    <form
      className="registry-panel"
      data-testid="gate-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>Edit the gate</h3>
      <datalist id="gate-methods">
        {methods.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      {drafts.length === 0 ? (
        <p className="muted">No rules: saving clears the gate, and any version with a model may go to production.</p>
      ) : (
        <table className="grid gate-rules">
          <thead>
            <tr>
              <th>Method</th>
              <th>% labels</th>
              <th>≥ baseline</th>
              <th>+ margin</th>
              <th>Metric</th>
              <th>Benchmark</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {drafts.map((_, i) => (
              <tr key={i}>
                <td>{cell(i, "method", "method", { list: "gate-methods" })}</td>
                <td className="narrow">{cell(i, "labelPercent", "% labels")}</td>
                <td>{cell(i, "baseline", "baseline", { list: "gate-methods", placeholder: "none: margin is the bar" })}</td>
                <td className="narrow">{cell(i, "margin", "margin")}</td>
                <td>{cell(i, "metric", "metric")}</td>
                <td>{cell(i, "benchmark", "benchmark", { placeholder: "latest" })}</td>
                <td>
                  <button type="button" className="button" onClick={() => setDrafts((all) => all.filter((__, j) => j !== i))} aria-label={`remove rule ${i + 1}`}>
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint" style={{ margin: "6px 0" }}>
        The margin is in the metric&apos;s units: accuracies are fractions, so 0.02 is two points. Without a baseline the margin itself is the bar (e.g. 0.8).
      </p>
      <div className="registry-form">
        <button type="button" className="button" onClick={() => setDrafts((all) => [...all, NEW_RULE])}>
          + Rule
        </button>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Saving…" : "Save gate"}
        </button>
        {saved && <span className="muted">Saved.</span>}
      </div>
      {error && <div className="error-box" data-testid="gate-error">{error}</div>}
    </form>
  );
}
