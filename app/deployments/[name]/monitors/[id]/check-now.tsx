"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

/** How often the page refreshes while a queued check has not reported, and for how long at most. */
const REFRESH_MS = 3000;
const GIVE_UP_MS = 120_000;

/**
 * Queues a check of the monitor (a worker runs it), then refreshes the page every few seconds until
 * the monitor's last check time moves (the check finished, or failed), or two minutes have passed.
 */
export function CheckNow({ id, lastCheckAt }: { id: number; lastCheckAt: string | null }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** the check time the page showed when the check was queued */
  const [queued, setQueued] = useState<{ seen: string | null; message: string } | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  const waiting = queued !== null && queued.seen === lastCheckAt;
  const checked = queued !== null && queued.seen !== lastCheckAt;

  useEffect(() => {
    if (!waiting) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > GIVE_UP_MS) {
        clearInterval(timer);
        setGaveUp(true);
        return;
      }
      router.refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [waiting, router]);

  return (
    <div className="check-now" data-testid="check-now">
      <button
        type="button"
        className="button primary"
        disabled={busy || (waiting && !gaveUp)}
        onClick={async () => {
          setBusy(true);
          setError(null);
          setGaveUp(false);
          try {
            const { jobId } = await trpc.monitoring.checkNow.mutate({ id });
            setQueued({
              seen: lastCheckAt,
              message: jobId ? "Check queued: a worker runs it, and this page refreshes when it is done." : "A check of this monitor is waiting already: this page refreshes when it is done.",
            });
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {waiting && !gaveUp ? "Checking…" : "Check now"}
      </button>
      {waiting && (
        <span className="muted" data-testid="check-queued">
          {gaveUp ? "No check has reported in two minutes: is a worker running?" : queued.message}
        </span>
      )}
      {checked && (
        <span className="muted" data-testid="check-done">
          Checked: the page shows its windows.
        </span>
      )}
      {error && <span className="inline-error">{error}</span>}
    </div>
  );
}
