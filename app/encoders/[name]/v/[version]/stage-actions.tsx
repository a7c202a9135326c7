"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { encoderStages } from "@/drizzle/schema";
import { trpc } from "@/app/lib/trpc-client";

type Stage = (typeof encoderStages)[number];

const TARGETS: { stage: Stage; label: string }[] = [
  { stage: "staging", label: "Staging" },
  { stage: "production", label: "Production" },
  { stage: "archived", label: "Archive" },
];

/**
 * Moves a version to another stage, asking why (the record keeps it). A refusal — production
 * outside its gate — is shown as the server words it.
 */
export function StageActions({ id, stage }: { id: number; stage: Stage }) {
  const router = useRouter();
  const [target, setTarget] = useState<(typeof TARGETS)[number] | null>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await trpc.registry.changeStage.mutate({ id, stage: target.stage, reason });
      setTarget(null);
      setReason("");
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stage-actions">
      <div className="actions">
        {TARGETS.map((t) => (
          <button
            key={t.stage}
            className={t.stage === "production" ? "button primary" : "button"}
            disabled={busy || t.stage === stage}
            title={t.stage === stage ? `already in ${stage}` : undefined}
            onClick={() => {
              setTarget(t);
              setError(null);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      {target && (
        <form
          className="registry-panel registry-form"
          data-testid="stage-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label>
            Why move it to {target.stage}?
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus aria-label="reason" placeholder="e.g. beats v1 by 2 points at 1 % labels" />
          </label>
          <button type="submit" className="button primary" disabled={busy || !reason.trim()}>
            {busy ? "Moving…" : `Move to ${target.stage}`}
          </button>
          <button type="button" className="button" onClick={() => setTarget(null)}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <div className="error-box" data-testid="stage-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
