import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { MAX_COMPARE_RUNS } from "@/server/validation";
import { CompareView } from "./compare-view";

export const dynamic = "force-dynamic";

/** /compare?runs=1,2,3: the runs' params and summaries render here; the series load in one request. */
export default async function ComparePage({ searchParams }: { searchParams: Promise<{ runs?: string }> }) {
  const raw = (await searchParams).runs ?? "";
  const runIds = [...new Set(raw.split(",").filter(Boolean).map(Number))];
  const bad = runIds.filter((id) => !Number.isInteger(id) || id <= 0);
  if (runIds.length === 0 || bad.length > 0 || runIds.length > MAX_COMPARE_RUNS) {
    return (
      <>
        <h1>Compare runs</h1>
        <div className="empty">
          {runIds.length > MAX_COMPARE_RUNS
            ? `At most ${MAX_COMPARE_RUNS} runs can be compared at once.`
            : bad.length > 0
              ? `runs: "${raw}" is not a list of run ids.`
              : "Select runs in an experiment's runs table and press Compare."}{" "}
          <Link href="/">Experiments</Link>
        </div>
      </>
    );
  }
  const caller = await api();
  try {
    // keys: [] — the summaries only; the browser asks for every series at once
    const data = await caller.metrics.compare({ runIds, keys: [] });
    const experimentIds = [...new Set(data.runs.map((r) => r.experimentId))];
    const experiments = await Promise.all(experimentIds.map((id) => caller.experiments.get({ id })));
    // one sweep's trials (and maybe its parent): their param charts open on the sweep's objective
    const sweeps = [...new Set(data.runs.map((r) => r.parentRunId ?? (r.tags.sweep ? r.id : null)))];
    const objective =
      sweeps.length === 1 && sweeps[0] !== null
        ? await caller.runs.sweep({ id: sweeps[0] }).then(
            (s) => ({ metric: s.metric, goal: s.goal }),
            () => null, // a parent that is not a sweep
          )
        : null;
    return (
      <CompareView
        runs={data.runs.map((r) => ({ id: r.id, name: r.name, status: r.status, params: r.params, metrics: r.metrics }))}
        metricKeys={data.metricKeys}
        experiments={experiments.map((e) => ({ id: e.id, name: e.name }))}
        objective={objective}
      />
    );
  } catch (err) {
    if (!(err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST"))) throw err;
    return (
      <>
        <h1>Compare runs</h1>
        <div className="error-box">{err.message}</div>
      </>
    );
  }
}
