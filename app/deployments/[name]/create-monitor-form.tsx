"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { DriftTestName } from "@/drizzle/schema";
import { trpc } from "@/app/lib/trpc-client";
import { numberOf } from "@/app/lib/form-input";

type Test = DriftTestName;
/** drizzle/schema.ts driftTestNames, in its order (the schema's values stay out of the browser's bundle) */
const TESTS: readonly Test[] = ["mmd", "ks", "psi", "classifier"];

const TEST_LABELS: Record<Test, string> = { mmd: "MMD", ks: "KS", psi: "PSI", classifier: "classifier" };

/** A datetime-local value (the browser's time zone) as an ISO time; what is not a time is sent as typed, for the server to refuse. */
function isoOf(local: string): string {
  const t = new Date(local);
  return local && !Number.isNaN(t.getTime()) ? t.toISOString() : local;
}

/**
 * Adds a drift monitor to a deployment. The server checks every field (server/drift/monitors.ts);
 * its refusal, naming the field, is shown under the form.
 */
export function CreateMonitorForm({ deployment }: { deployment: string }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [target, setTarget] = useState<"embedding" | "input">("embedding");
  const [tests, setTests] = useState<Test[]>(["mmd", "ks"]);
  const [referenceKind, setReferenceKind] = useState<"dataset" | "traffic">("dataset");
  const [data, setData] = useState("fashion-mnist");
  const [split, setSplit] = useState<"train" | "test">("train");
  const [size, setSize] = useState("1000");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [windowKind, setWindowKind] = useState<"count" | "time">("count");
  const [windowSize, setWindowSize] = useState("500");
  const [minutes, setMinutes] = useState("60");
  const [minSamples, setMinSamples] = useState("100");
  const [schedule, setSchedule] = useState("*/5 * * * *");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const monitor = await trpc.monitoring.createMonitor.mutate({
        deployment,
        name: name.trim(),
        target,
        tests: TESTS.filter((t) => tests.includes(t)),
        reference: referenceKind === "dataset" ? { kind: "dataset", data: data.trim(), split, size: numberOf(size) } : { kind: "traffic", from: isoOf(from), to: isoOf(to) },
        window: windowKind === "count" ? { kind: "count", size: numberOf(windowSize) } : { kind: "time", minutes: numberOf(minutes) },
        minSamples: numberOf(minSamples),
        schedule: schedule.trim() === "" ? null : schedule.trim(),
      });
      setCreated(monitor.name);
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
      className="registry-panel monitor-form"
      data-testid="create-monitor"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Add a drift monitor</h3>
      <div className="registry-form">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="monitor name" placeholder="e.g. embeddings" />
        </label>
        <label>
          Target
          <select value={target} onChange={(e) => setTarget(e.target.value as "embedding" | "input")} aria-label="target">
            <option value="embedding">embeddings (what the version returns)</option>
            <option value="input">inputs (what callers send)</option>
          </select>
        </label>
        <fieldset>
          <legend>Tests</legend>
          <div className="checks">
            {TESTS.map((t) => (
              <label key={t}>
                <input
                  type="checkbox"
                  checked={tests.includes(t)}
                  aria-label={`test ${t}`}
                  onChange={(e) => setTests((all) => (e.target.checked ? [...all, t] : all.filter((x) => x !== t)))}
                />
                {TEST_LABELS[t]}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="registry-form">
        <fieldset>
          <legend>Reference: what windows are compared with</legend>
          <label>
            Kind
            <select value={referenceKind} onChange={(e) => setReferenceKind(e.target.value as "dataset" | "traffic")} aria-label="reference kind">
              <option value="dataset">a dataset</option>
              <option value="traffic">a period of traffic</option>
            </select>
          </label>
          {referenceKind === "dataset" ? (
            <>
              <label>
                Data
                <input value={data} onChange={(e) => setData(e.target.value)} aria-label="reference data" placeholder="fashion-mnist, or a folder under the data directory" />
              </label>
              <label>
                Split
                <select value={split} onChange={(e) => setSplit(e.target.value as "train" | "test")} aria-label="reference split">
                  <option value="train">train</option>
                  <option value="test">test</option>
                </select>
              </label>
              <label>
                Samples
                <input type="number" step={1} value={size} onChange={(e) => setSize(e.target.value)} aria-label="reference size" />
              </label>
            </>
          ) : (
            <>
              <label>
                From (your time)
                <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} aria-label="reference from" />
              </label>
              <label>
                To (your time)
                <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} aria-label="reference to" />
              </label>
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>Windows of served samples</legend>
          <label>
            Cut by
            <select value={windowKind} onChange={(e) => setWindowKind(e.target.value as "count" | "time")} aria-label="window kind">
              <option value="count">count</option>
              <option value="time">time</option>
            </select>
          </label>
          {windowKind === "count" ? (
            <label>
              Samples each
              <input type="number" step={1} value={windowSize} onChange={(e) => setWindowSize(e.target.value)} aria-label="window size" />
            </label>
          ) : (
            <label>
              Minutes each
              <input type="number" step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} aria-label="window minutes" />
            </label>
          )}
          <label>
            Min samples
            <input type="number" step={1} value={minSamples} onChange={(e) => setMinSamples(e.target.value)} aria-label="min samples" />
          </label>
        </fieldset>
        <label>
          Schedule (cron, UTC; empty: on demand)
          <input className="cron" value={schedule} onChange={(e) => setSchedule(e.target.value)} aria-label="schedule" placeholder="on demand only" />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Adding…" : "Add monitor"}
        </button>
      </div>
      {created && (
        <span className="muted" data-testid="monitor-created">
          Added monitor {created}.
        </span>
      )}
      {error && (
        <div className="error-box" data-testid="monitor-error">
          {error}
        </div>
      )}
    </form>
  );
}
