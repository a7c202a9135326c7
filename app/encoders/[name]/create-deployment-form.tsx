"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

/** Names an endpoint that serves this encoder's production version (whichever that is when called). */
export function CreateDeploymentForm({ encoderName, suggestedName }: { encoderName: string; suggestedName: string }) {
  const router = useRouter();
  const [name, setName] = useState(suggestedName);
  const [samplePercent, setSamplePercent] = useState("1");
  const [retentionDays, setRetentionDays] = useState("30");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="registry-panel"
      data-testid="create-deployment"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await trpc.registry.createDeployment.mutate({ name: name.trim(), encoderName, sampleRate: Number(samplePercent) / 100, retentionDays: Number(retentionDays) });
          setName("");
          router.refresh();
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Create a deployment</h3>
      <div className="registry-form">
        <label className="wide">
          Name (its URL)
          <input value={name} onChange={(e) => setName(e.target.value)} required aria-label="deployment name" />
        </label>
        <label>
          Inputs sampled (%)
          <input type="number" min={0} max={100} step="any" value={samplePercent} onChange={(e) => setSamplePercent(e.target.value)} required aria-label="sampled percent" />
        </label>
        <label>
          Kept for (days)
          <input type="number" min={1} max={3650} step={1} value={retentionDays} onChange={(e) => setRetentionDays(e.target.value)} required aria-label="retention days" />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Creating…" : "Create deployment"}
        </button>
      </div>
      {error && <div className="error-box" data-testid="deployment-error">{error}</div>}
    </form>
  );
}
