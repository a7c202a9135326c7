import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { formatDate } from "@/app/lib/format";

export const dynamic = "force-dynamic";

export default async function ExperimentsPage() {
  const experiments = await (await api()).experiments.list();
  return (
    <>
      <h1>Experiments</h1>
      <p className="subtitle">Each experiment groups the runs you want to compare.</p>
      {experiments.length === 0 ? (
        <div className="empty getting-started" data-testid="getting-started">
          <p>No experiments yet. Three ways to start:</p>
          <ol>
            <li>
              <Link href="/launch">Launch a pretraining run</Link> from a form: the app&apos;s own worker trains it, and its page
              updates live.
            </li>
            <li>
              Train from the command line; it logs here while the app runs:
              <pre>npm run pretext -- train --config workers/engine/configs/fashion-mnist-simclr.json</pre>
            </li>
            <li>
              Log from any language over the HTTP API:
              <pre>{`curl -X POST localhost:3000/api/v1/runs -H 'content-type: application/json' -d '{"experiment":"demo"}'`}</pre>
            </li>
          </ol>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th>Project</th>
                <th>Experiment</th>
                <th className="num">Runs</th>
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {experiments.map((e) => (
                <tr key={e.id}>
                  <td>{e.project}</td>
                  <td>
                    <Link href={`/experiments/${e.id}`}>{e.name}</Link>
                  </td>
                  <td className="num">{e.runCount}</td>
                  <td>{formatDate(e.lastRunAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
