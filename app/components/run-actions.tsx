"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

/** Cancel for a queued or running run: its worker stops within seconds. */
export function CancelButton({ runId }: { runId: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        className="button danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await trpc.runs.cancel.mutate({ id: runId });
            router.refresh();
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Cancelling…" : "Cancel run"}
      </button>
      {error && <span className="inline-error">{error}</span>}
    </>
  );
}

/** Enqueues an evaluation of this run's encoder (default suite) and opens the new run. */
export function LaunchEvaluationButton({ runId }: { runId: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        className="button primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const { run } = await trpc.runs.launchEvaluation.mutate({ runId });
            router.push(`/runs/${run.id}`);
          } catch (e) {
            setError((e as Error).message);
            setBusy(false);
          }
        }}
      >
        {busy ? "Launching…" : "Launch evaluation"}
      </button>
      {error && <span className="inline-error">{error}</span>}
    </>
  );
}
