"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

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

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Launches a pretraining run or a sweep as jobs; the run page then follows it. */
export function LaunchForm() {
  const router = useRouter();
  const [kind, setKind] = useState<"pretrain" | "sweep">("pretrain");
  const [experiment, setExperiment] = useState("pretrain");
  const [text, setText] = useState(pretty(EXAMPLE_PRETRAIN));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(text);
    } catch (err) {
      setError(`config: not valid JSON (${(err as Error).message})`);
      return;
    }
    setBusy(true);
    try {
      const runId =
        kind === "pretrain"
          ? (await trpc.runs.launch.mutate({ kind: "pretrain", experiment, config })).run.id
          : (await trpc.runs.launchSweep.mutate({ ...(config as object), experiment } as Parameters<typeof trpc.runs.launchSweep.mutate>[0])).parent.id;
      router.push(`/runs/${runId}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit}>
      <label>
        What
        <select
          value={kind}
          onChange={(e) => {
            const next = e.target.value as "pretrain" | "sweep";
            setKind(next);
            setText(pretty(next === "pretrain" ? EXAMPLE_PRETRAIN : EXAMPLE_SWEEP));
            setExperiment(next === "pretrain" ? "pretrain" : "sweeps");
          }}
        >
          <option value="pretrain">Pretraining run</option>
          <option value="sweep">Sweep (grid or random search)</option>
        </select>
      </label>
      <label>
        Experiment
        <input value={experiment} onChange={(e) => setExperiment(e.target.value)} />
      </label>
      <label>
        Config (JSON)
        <textarea value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      {error && <div className="error-box">{error}</div>}
      <div>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? "Launching…" : "Launch"}
        </button>
      </div>
    </form>
  );
}
