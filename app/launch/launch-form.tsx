"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { z } from "zod";
import { trpc } from "@/app/lib/trpc-client";
import { auditJobSchema, evaluateJobSchema } from "@/server/jobs/configs/jobs";
import { pretrainConfigSchema } from "@/server/jobs/configs/pretrain";
import { sweepConfig, sweepSpec } from "@/server/jobs/configs/sweep";
import { name as nameSchema } from "@/server/names";
import { describeIssue, isRecord, issuePath, type Issue, type JsonSchema } from "./json-schema";
import styles from "./launch.module.css";
import { SchemaForm } from "./schema-form";

const EXAMPLE_PRETRAIN = {
  name: "fashion-mnist-simclr-mlp",
  dataset: { kind: "fashion-mnist" },
  data: { limit: 4096 },
  encoder: { kind: "mlp", hidden: [512, 256], embeddingDim: 128 },
  method: { name: "simclr", temperature: 0.5 },
  optimizer: { name: "adamw", lr: 0.001, weightDecay: 0.0001 },
  batchSize: 128,
  epochs: 3,
  seed: 1,
  checkpoint: { everySteps: 20 },
};

const EXAMPLE_SWEEP = {
  name: "lr-sweep",
  base: EXAMPLE_PRETRAIN,
  method: "grid",
  parameters: { "optimizer.lr": { values: [0.003, 0.001, 0.0003] } },
  budget: 3,
  metric: "loss",
  goal: "minimize",
};

const EXAMPLE_EVALUATE = {
  name: "eval-encoder-1",
  encoder: { id: 1 },
  suite: { dataset: { kind: "fashion-mnist" }, fractions: [0.01, 0.1], seeds: [0, 1] },
};

const EXAMPLE_AUDIT = { name: "audit-fashion-mnist", dataset: { kind: "fashion-mnist" }, maxNearSamples: 2000, domainSamples: 500 };

const formOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
const issuesOf = (error: z.ZodError | undefined): Issue[] => (error?.issues ?? []).map((i) => ({ path: issuePath(i.path), message: i.message }));

/** What can be launched: each with its schema (server/jobs/configs, the one the server checks too), form and example. */
const KINDS = {
  pretrain: { label: "Pretraining run", experiment: "pretrain", example: EXAMPLE_PRETRAIN, form: formOf(pretrainConfigSchema), check: (c: unknown) => issuesOf(pretrainConfigSchema.safeParse(c).error) },
  sweep: { label: "Sweep (grid or random search)", experiment: "sweeps", example: EXAMPLE_SWEEP, form: formOf(sweepSpec), check: (c: unknown) => issuesOf(sweepConfig.safeParse(c).error) },
  evaluate: { label: "Evaluation of an encoder", experiment: "evaluation", example: EXAMPLE_EVALUATE, form: formOf(evaluateJobSchema), check: (c: unknown) => issuesOf(evaluateJobSchema.safeParse(c).error) },
  audit: { label: "Dataset audit", experiment: "audit", example: EXAMPLE_AUDIT, form: formOf(auditJobSchema), check: (c: unknown) => issuesOf(auditJobSchema.safeParse(c).error) },
} as const;
type Kind = keyof typeof KINDS;
const PRETRAIN_FORM = KINDS.pretrain.form;

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * Launches a pretraining run, a sweep, an evaluation or an audit as jobs; the run page then follows
 * it. The config is edited in a form generated from its schema or as JSON (one config, two views),
 * and every field is checked as it changes: nothing is queued while one is wrong (and the server
 * checks again with the same schema).
 */
export function LaunchForm() {
  const router = useRouter();
  const [kind, setKind] = useState<Kind>("pretrain");
  const [configs, setConfigs] = useState<Record<Kind, Record<string, unknown>>>(() => ({
    pretrain: EXAMPLE_PRETRAIN,
    sweep: EXAMPLE_SWEEP,
    evaluate: EXAMPLE_EVALUATE,
    audit: EXAMPLE_AUDIT,
  }));
  const [experiment, setExperiment] = useState<string>(KINDS.pretrain.experiment);
  const [view, setView] = useState<"form" | "json">("form");
  const [text, setText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const config = configs[kind];
  const setConfig = (next: Record<string, unknown>) => {
    setConfigs((all) => ({ ...all, [kind]: next }));
    setError(null);
  };
  const experimentIssues = useMemo(() => issuesOf(nameSchema.safeParse(experiment).error).map((i) => ({ ...i, path: "experiment" })), [experiment]);
  const issues = useMemo(() => KINDS[kind].check(kind === "sweep" ? { ...config, experiment } : config).filter((i) => i.path !== "experiment"), [kind, config, experiment]);
  const allIssues = [...experimentIssues, ...issues];

  function show(next: "form" | "json") {
    if (next === view) return;
    if (next === "json") {
      setText(pretty(config));
      setJsonError(null);
    } else if (jsonError) {
      return; // the JSON must parse before the form can show it
    }
    setView(next);
  }

  function editJson(value: string) {
    setText(value);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      setJsonError(`config: not valid JSON (${(err as Error).message})`);
      return;
    }
    if (!isRecord(parsed)) {
      setJsonError("config: must be a JSON object");
      return;
    }
    setJsonError(null);
    setConfig(parsed);
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    if (jsonError) return setError(jsonError);
    if (allIssues.length > 0) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    try {
      const runId =
        kind === "sweep"
          ? (await trpc.runs.launchSweep.mutate({ ...config, experiment } as Parameters<typeof trpc.runs.launchSweep.mutate>[0])).parent.id
          : (await trpc.runs.launch.mutate({ kind, experiment, config })).run.id;
      router.push(`/runs/${runId}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  const base = isRecord(config.base) ? config.base : {};
  const baseIssues = issues.filter((i) => i.path === "base" || i.path.startsWith("base.")).map((i) => ({ ...i, path: i.path.slice("base.".length) }));
  const form =
    kind === "sweep" ? (
      <>
        <SchemaForm schema={KINDS.sweep.form} value={config} onChange={setConfig} issues={issues.filter((i) => !(i.path === "base" || i.path.startsWith("base.")))} generalTitle="Sweep" hidden={["base", "experiment"]} />
        <h2 className={styles.heading}>Base config</h2>
        <p className={styles.lead}>Every trial starts from it, with the swept fields set to the trial&apos;s values.</p>
        <SchemaForm schema={PRETRAIN_FORM} value={base} onChange={(b) => setConfig({ ...config, base: b })} issues={baseIssues} generalTitle="Run" prefix="base." />
      </>
    ) : (
      <SchemaForm key={kind} schema={KINDS[kind].form} value={config} onChange={setConfig} issues={issues} generalTitle={kind === "pretrain" ? "Run" : "Job"} />
    );

  return (
    <form className={styles.page} onSubmit={submit} noValidate>
      <div className={styles.top}>
        <label>
          What
          <select
            value={kind}
            onChange={(e) => {
              const next = e.target.value as Kind;
              setKind(next);
              setExperiment(KINDS[next].experiment);
              setError(null);
              if (view === "json") {
                setText(pretty(configs[next]));
                setJsonError(null);
              }
            }}
          >
            {Object.entries(KINDS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Experiment
          <input value={experiment} onChange={(e) => setExperiment(e.target.value)} aria-invalid={experimentIssues.length > 0 || undefined} name="experiment" />
        </label>
        <div className={styles.toggle} role="group" aria-label="Edit the config as">
          <button type="button" aria-pressed={view === "form"} onClick={() => show("form")} title={jsonError ? "fix the JSON first" : undefined}>
            Form
          </button>
          <button type="button" aria-pressed={view === "json"} onClick={() => show("json")}>
            JSON
          </button>
        </div>
      </div>
      {experimentIssues.map((i) => (
        <div key={i.message} className={styles.error} role="alert">
          experiment: {i.message}
        </div>
      ))}
      {view === "form" ? (
        form
      ) : (
        <label className={styles.json}>
          Config (JSON)
          <textarea value={text} onChange={(e) => editJson(e.target.value)} spellCheck={false} aria-invalid={jsonError !== null || undefined} />
          {jsonError && <span className={styles.error}>{jsonError}</span>}
        </label>
      )}
      {allIssues.length > 0 && (
        <div className={styles.problems} data-testid="config-problems">
          {allIssues.length === 1 ? "1 field needs fixing" : `${allIssues.length} fields need fixing`} before this can be launched:
          <ul>
            {allIssues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{describeIssue(i)}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && <div className="error-box">{error}</div>}
      <div className={styles.actions}>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? "Launching…" : "Launch"}
        </button>
        {allIssues.length === 0 && !jsonError && <span className="muted">Every field checks out; the server checks it again before queueing.</span>}
      </div>
    </form>
  );
}
