"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Plot } from "@/app/components/plot";
import { trpc } from "@/app/lib/trpc-client";
import { formatNumber } from "@/app/lib/format";
import { shadowCharts, type ShadowPoint } from "../../rollout";
import { numberOf } from "@/app/lib/form-input";

/** Starts, changes or stops the deployment's shadow candidate (admin); the server's refusal is shown beside it. */
export function ShadowForm({ deployment, config, versions, production }: { deployment: string; config: { version: number; share: number } | null; versions: { version: number; stage: string }[]; production: number | null }) {
  const router = useRouter();
  const [version, setVersion] = useState(String(config?.version ?? versions.find((v) => v.version !== production)?.version ?? versions[0]?.version ?? ""));
  const [share, setShare] = useState(config ? formatNumber(config.share * 100) : "100");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (shadow: { version: number; share: number } | null) => {
    setBusy(true);
    setError(null);
    try {
      await trpc.rollout.setShadow.mutate({ name: deployment, shadow });
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
      data-testid="shadow-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run({ version: numberOf(version), share: numberOf(share) / 100 });
      }}
    >
      <div className="registry-form" style={{ margin: 0 }}>
        <label>
          Candidate
          <select value={version} onChange={(e) => setVersion(e.target.value)} aria-label="shadow version">
            {versions.map((v) => (
              <option key={v.version} value={String(v.version)}>
                v{v.version}
                {v.stage !== "none" ? ` (${v.stage})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          % of requests copied
          <input type="number" step="any" value={share} onChange={(e) => setShare(e.target.value)} aria-label="shadow share" />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {config ? "Update shadow" : "Start shadow"}
        </button>
        {config && (
          <button type="button" className="button danger" disabled={busy} onClick={() => void run(null)}>
            Stop shadow
          </button>
        )}
      </div>
      {error && (
        <div className="error-box" data-testid="shadow-error">
          {error}
        </div>
      )}
    </form>
  );
}

/** Agreement (cosine mean, neighbour overlap) and the candidate's p99 latency, per minute. */
export function ShadowCharts({ series }: { series: ShadowPoint[] }) {
  const { agreement, latency } = useMemo(() => shadowCharts(series), [series]);
  return (
    <div className="charts charts-small">
      <div className="chart chart-small" data-testid="shadow-agreement">
        <div className="chart-title">
          <span>Agreement with what was served</span>
          <small>per minute</small>
        </div>
        <div className="chart-hint">Cosine of the two embeddings of each input (1: the same direction), and the share of its 10 nearest recent neighbours both spaces agree on.</div>
        <Plot data={agreement.data} layout={agreement.layout} className="chart-body" testId="shadow-agreement-plot" />
      </div>
      <div className="chart chart-small" data-testid="shadow-latency">
        <div className="chart-title">
          <span>Candidate p99 latency</span>
          <small>per minute</small>
        </div>
        <div className="chart-hint">How long the candidate took per mirrored request, off the response path.</div>
        <Plot data={latency.data} layout={latency.layout} className="chart-body" testId="shadow-latency-plot" />
      </div>
    </div>
  );
}
