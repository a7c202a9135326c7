import Link from "next/link";
import { connection } from "next/server";
import { api } from "@/app/lib/server-api";
import { MissingThing } from "@/app/components/missing-thing";
import "./not-found.css";

/** How many experiments the page offers as a way back to runs. */
const EXPERIMENTS_LISTED = 8;

/** Every unknown page, run or experiment: says what was missing and where to go instead. */
export default async function NotFound() {
  await connection(); // rendered per request: the experiments below are read from the database
  const experiments = await (await api()).experiments.list().catch(() => []);
  const latest = [...experiments].sort((a, b) => new Date(b.lastRunAt ?? 0).getTime() - new Date(a.lastRunAt ?? 0).getTime()).slice(0, EXPERIMENTS_LISTED);
  return (
    <div className="not-found" data-testid="not-found">
      <MissingThing />
      <ul className="not-found-links">
        <li>
          <Link href="/">All experiments</Link> — every run lives in one; open it to see its runs table.
        </li>
        <li>
          <Link href="/benchmarks">Benchmarks</Link> — how encoders compare at few labels.
        </li>
        <li>
          <Link href="/encoders">Encoders</Link> — registered versions, their stages and deployments.
        </li>
        <li>
          <Link href="/launch">Launch a run</Link> — start pretraining or an evaluation.
        </li>
      </ul>
      {latest.length > 0 && (
        <>
          <h2>Recently active experiments</h2>
          <ul className="not-found-links">
            {latest.map((e) => (
              <li key={e.id}>
                <Link href={`/experiments/${e.id}`}>{e.name}</Link> <span className="muted">· {e.project} · {e.runCount.toLocaleString("en-US")} run{e.runCount === 1 ? "" : "s"}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
