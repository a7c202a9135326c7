"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { FlagRule } from "@/drizzle/schema";
import { trpc } from "@/app/lib/trpc-client";
import { formatNumber } from "@/app/lib/format";
import { numberOf } from "@/app/lib/form-input";

interface Version {
  version: number;
  stage: string;
}

/** A rule as the form holds it: percents and versions as typed. */
type Draft =
  | { kind: "force"; version: string; coverage: string; seed: string }
  | { kind: "experiment"; key: string; versions: string[]; weights: string[]; coverage: string; seed: string };

const percentOf = (share: number) => formatNumber(share * 100).replace(/,/g, "");

function toDraft(rule: FlagRule): Draft {
  const common = { coverage: percentOf(rule.coverage), seed: rule.seed ?? "" };
  if (rule.kind === "force") return { kind: "force", version: String(rule.version), ...common };
  return { kind: "experiment", key: rule.key, versions: rule.versions.map(String), weights: rule.weights.map(percentOf), ...common };
}

/** The draft as the server takes it (hashAttribute kept from the rule it came from, "id" otherwise). */
function toInput(draft: Draft, hashAttribute: string) {
  const common = { coverage: numberOf(draft.coverage) / 100, hashAttribute, seed: draft.seed.trim() === "" ? null : draft.seed.trim() };
  if (draft.kind === "force") return { kind: "force" as const, version: numberOf(draft.version), ...common };
  const weights = draft.weights.every((w) => w.trim() === "") ? undefined : draft.weights.map((w) => numberOf(w) / 100);
  return { kind: "experiment" as const, key: draft.key.trim(), versions: draft.versions.map(numberOf), ...(weights ? { weights } : {}), ...common };
}

const versionLabel = (v: Version) => `v${v.version}${v.stage !== "none" ? ` (${v.stage})` : ""}`;

/**
 * Sets a deployment's flag rules (admin): force rules (a version for a share of users) and
 * experiments (versions split by weights), in order. The server checks every field
 * (server/rollout/flags.ts); its refusal, naming the field, is shown under the form.
 */
export function FlagEditor({ deployment, rules, versions, rampOwned }: { deployment: string; rules: FlagRule[]; versions: Version[]; rampOwned: boolean }) {
  const router = useRouter();
  const fromRules = () => rules.map((r) => ({ draft: toDraft(r), hashAttribute: r.hashAttribute }));
  const [drafts, setDrafts] = useState<{ draft: Draft; hashAttribute: string }[]>(fromRules);
  // rules changed elsewhere (a ramp's step, a rollback, another admin): the form starts again from them
  const signature = JSON.stringify(rules);
  const [seen, setSeen] = useState(signature);
  if (seen !== signature) {
    setSeen(signature);
    setDrafts(fromRules());
  }
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const newest = versions[0]?.version;
  const production = versions.find((v) => v.stage === "production")?.version;

  const update = (i: number, change: (d: Draft) => Draft) => setDrafts((all) => all.map((x, j) => (j === i ? { ...x, draft: change(x.draft) } : x)));
  const add = (kind: Draft["kind"]) =>
    setDrafts((all) => [
      ...all,
      {
        hashAttribute: "id",
        draft:
          kind === "force"
            ? { kind, version: String(newest ?? ""), coverage: "5", seed: "" }
            : { kind, key: "", versions: [String(production ?? newest ?? ""), String(versions.find((v) => v.version !== production)?.version ?? "")], weights: ["50", "50"], coverage: "100", seed: "" },
      },
    ]);
  const save = async (next: typeof drafts) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await trpc.rollout.setFlag.mutate({ name: deployment, rules: next.map((x) => toInput(x.draft, x.hashAttribute)) });
      setDrafts(next);
      setSaved(true);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const versionSelect = (value: string, onChange: (v: string) => void, label: string) => (
    <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={label}>
      {versions.map((v) => (
        <option key={v.version} value={String(v.version)}>
          {versionLabel(v)}
        </option>
      ))}
    </select>
  );

  return (
    <form
      className="registry-panel flag-editor"
      data-testid="flag-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save(drafts);
      }}
    >
      <h3>Rules</h3>
      {rampOwned && <p className="hint">A ramp owns these rules: it sets them again at its next step, and a rollback clears them.</p>}
      {drafts.length === 0 && <p className="hint">No rules: every user gets the production version.</p>}
      {drafts.map(({ draft }, i) => (
        <div className="registry-form flag-rule" key={i} data-testid={`rule-editor-${i}`}>
          <span className="rule-index">{i + 1}.</span>
          {draft.kind === "force" ? (
            <>
              <label>
                Serve
                {versionSelect(draft.version, (v) => update(i, (d) => ({ ...d, version: v })), `rule ${i + 1} version`)}
              </label>
              <label>
                to % of users
                <input type="number" step="any" value={draft.coverage} onChange={(e) => update(i, (d) => ({ ...d, coverage: e.target.value }))} aria-label={`rule ${i + 1} coverage`} />
              </label>
            </>
          ) : (
            <>
              <label>
                Experiment key
                <input value={draft.key} onChange={(e) => update(i, (d) => ({ ...d, key: e.target.value }))} aria-label={`rule ${i + 1} key`} placeholder="e.g. v2-vs-v1" />
              </label>
              {draft.versions.map((v, k) => (
                <span className="variation" key={k}>
                  <label>
                    {k === 0 ? "Control" : `Variation ${k}`}
                    {versionSelect(v, (next) => update(i, (d) => (d.kind === "experiment" ? { ...d, versions: d.versions.map((x, j) => (j === k ? next : x)) } : d)), `rule ${i + 1} version ${k + 1}`)}
                  </label>
                  <label>
                    weight %
                    <input type="number" step="any" value={draft.weights[k] ?? ""} onChange={(e) => update(i, (d) => (d.kind === "experiment" ? { ...d, weights: d.weights.map((x, j) => (j === k ? e.target.value : x)) } : d))} aria-label={`rule ${i + 1} weight ${k + 1}`} />
                  </label>
                </span>
              ))}
              <button
                type="button"
                className="button small"
                onClick={() => update(i, (d) => (d.kind === "experiment" ? { ...d, versions: [...d.versions, String(newest ?? "")], weights: [...d.weights, ""] } : d))}
                disabled={draft.versions.length >= 10}
              >
                + version
              </button>
              {draft.versions.length > 2 && (
                <button type="button" className="button small" onClick={() => update(i, (d) => (d.kind === "experiment" ? { ...d, versions: d.versions.slice(0, -1), weights: d.weights.slice(0, -1) } : d))}>
                  − version
                </button>
              )}
              <label>
                % of users
                <input type="number" step="any" value={draft.coverage} onChange={(e) => update(i, (d) => ({ ...d, coverage: e.target.value }))} aria-label={`rule ${i + 1} coverage`} />
              </label>
            </>
          )}
          <label>
            Seed
            <input className="seed" value={draft.seed} onChange={(e) => update(i, (d) => ({ ...d, seed: e.target.value }))} aria-label={`rule ${i + 1} seed`} placeholder="optional" />
          </label>
          <button type="button" className="button small" aria-label={`remove rule ${i + 1}`} onClick={() => setDrafts((all) => all.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <div className="actions">
        <button type="button" className="button" onClick={() => add("force")} disabled={drafts.length >= 20}>
          Add force rule
        </button>
        <button type="button" className="button" onClick={() => add("experiment")} disabled={drafts.length >= 20}>
          Add experiment
        </button>
        <span className="spacer" />
        <button type="button" className="button danger" disabled={busy || rules.length === 0} onClick={() => void save([])}>
          Clear all rules
        </button>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Saving…" : "Save rules"}
        </button>
      </div>
      <p className="hint" style={{ margin: "6px 0 0" }}>
        Weights left empty split evenly. Users are hashed by their id (the x-pretext-user header); a seed reshuffles who falls where.
      </p>
      {saved && !error && (
        <span className="muted" data-testid="flag-saved">
          Saved.
        </span>
      )}
      {error && (
        <div className="error-box" data-testid="flag-error">
          {error}
        </div>
      )}
    </form>
  );
}
