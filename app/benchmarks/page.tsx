import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { LabelEfficiencyChart } from "@/app/components/label-efficiency-chart";
import { describeSettings } from "@/app/lib/chosen-settings";
import type { LeaderboardCell, LeaderboardRow } from "@/server/services/leaderboard";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const percent = (f: number) => `${Number((f * 100).toPrecision(3))}%`;
const encoderLabel = (r: LeaderboardRow) => (r.encoder ? `${r.encoder.name} v${r.encoder.version}` : "baseline");

export default async function BenchmarksPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const caller = await api();
  const board = await caller.benchmarks.leaderboard({ benchmark: first(sp.benchmark) || undefined });

  if (board.benchmark === null || board.rows.length === 0) {
    return (
      <>
        <h1>Benchmarks</h1>
        <p className="subtitle">Encoders compared by evaluation protocol and label fraction.</p>
        <div className="empty" data-testid="benchmarks-empty">
          No benchmark results{board.benchmark ? ` for ${board.benchmark}` : ""} yet. Evaluate an encoder with <code>pretext eval --encoder encoder.ptx --suite suite.json</code>, or
          open a finished pretraining run and press <b>Launch evaluation</b>.
        </div>
      </>
    );
  }

  const { fractions, benchmark } = board;
  const protocols = [...new Set(board.rows.filter((r) => r.encoder).map((r) => r.method))];
  const protocol = protocols.includes(first(sp.protocol) ?? "") ? first(sp.protocol)! : "all";
  const sortFraction = fractions.includes(Number(first(sp.sort))) ? Number(first(sp.sort)) : fractions[0];
  const sortIndex = fractions.indexOf(sortFraction);
  const meanAt = (r: LeaderboardRow) => r.cells[sortIndex]?.mean ?? -Infinity;
  const encoderRows = board.rows.filter((r) => r.encoder && (protocol === "all" || r.method === protocol)).sort((a, b) => meanAt(b) - meanAt(a));
  const baselineRows = board.rows.filter((r) => !r.encoder);
  const best = fractions.map((_, i) => Math.max(...encoderRows.map((r) => r.cells[i]?.mean ?? -Infinity)));

  const requested = Number(first(sp.encoder));
  const encoderId = board.rows.some((r) => r.encoder?.id === requested) ? requested : encoderRows[0]?.encoder?.id;
  const curve = encoderId !== undefined ? await caller.benchmarks.labelEfficiency({ encoderId, benchmark }) : null;

  const href = (change: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    const merged = { benchmark, protocol: protocol === "all" ? undefined : protocol, sort: sortFraction, encoder: encoderId, ...change };
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== "") q.set(k, String(v));
    return `/benchmarks?${q}`;
  };

  return (
    <>
      <h1>Benchmarks</h1>
      <p className="subtitle">
        {benchmark} · {board.metric} · mean ± std over seeds
      </p>
      {board.benchmarks.length > 1 && (
        <div className="chips" aria-label="benchmark">
          {board.benchmarks.map((b) => (
            <Link key={b} href={`/benchmarks?benchmark=${encodeURIComponent(b)}`} className={b === benchmark ? "chip active" : "chip"}>
              {b}
            </Link>
          ))}
        </div>
      )}

      <section>
        <h2>Label efficiency{curve?.encoder ? ` — ${curve.encoder.name} v${curve.encoder.version}` : ""}</h2>
        <p className="hint">
          What the unlabeled data bought: SSL protocols on the frozen or fine-tuned encoder (solid) against the same architecture trained from
          scratch and a linear probe on raw inputs (dashed), on the same labeled subsets. Error bars: std over seeds. Pick another encoder in
          the leaderboard.
        </p>
        <div className="chart">{curve && curve.series.length > 0 ? <LabelEfficiencyChart curve={curve} /> : <div className="chart-placeholder plot-tall">No curve for this encoder.</div>}</div>
        {curve && curve.series.some((s) => s.points.some((p) => Object.keys(p.settings).length > 0)) && (
          <div className="table-scroll">
            <p className="hint">
              What each protocol chose on the labeled subset alone (cross-validated when labels are few) and the optimizer steps it spent, choosing
              included; where seeds differ, their distinct values are listed in the order they first appeared.
            </p>
            <table className="grid" data-testid="chosen-settings">
              <thead>
                <tr>
                  <th>Protocol</th>
                  <th className="num">Labels</th>
                  <th>Chosen settings and budget</th>
                </tr>
              </thead>
              <tbody>
                {curve.series.flatMap((s) =>
                  s.points
                    .filter((p) => Object.keys(p.settings).length > 0)
                    .map((p) => (
                      <tr key={`${s.method}/${p.labelFraction}`} className={s.baseline ? "baseline-row" : undefined}>
                        <td>{s.baseline ? `${s.method} (baseline)` : s.method}</td>
                        <td className="num">{percent(p.labelFraction)}</td>
                        <td>{describeSettings(p.settings)}</td>
                      </tr>
                    )),
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section>
        <h2>Leaderboard</h2>
        <div className="chips" aria-label="protocol">
          {["all", ...protocols].map((p) => (
            <Link key={p} href={href({ protocol: p === "all" ? undefined : p })} className={p === protocol ? "chip active" : "chip"}>
              {p === "all" ? "all protocols" : p}
            </Link>
          ))}
        </div>
        <div className="table-scroll">
          <table className="grid leaderboard" data-testid="leaderboard">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Encoder</th>
                <th>Protocol</th>
                {fractions.map((f) => (
                  <th key={f} className="num">
                    <Link href={href({ sort: f })} title="sort by this fraction">
                      {percent(f)} labels{f === sortFraction ? " ▼" : ""}
                    </Link>
                  </th>
                ))}
                <th>Runs</th>
                <th>Map</th>
              </tr>
            </thead>
            <tbody>
              {encoderRows.map((r, i) => (
                <tr key={`${r.encoder!.id}/${r.method}`} className={r.encoder!.id === encoderId ? "selected" : undefined}>
                  <td className="num">{i + 1}</td>
                  <td>
                    <Link href={href({ encoder: r.encoder!.id })} title="plot its label-efficiency curve">
                      {encoderLabel(r)}
                    </Link>
                  </td>
                  <td>{r.method}</td>
                  {r.cells.map((c, j) => (
                    <Cell key={fractions[j]} cell={c} best={c !== null && c.mean === best[j]} metric={board.metric} />
                  ))}
                  <td><RunLinks runIds={r.runIds} /></td>
                  <td>{r.embeddingMapRunId ? <Link href={`/runs/${r.embeddingMapRunId}#embedding-map`}>embedding map</Link> : "—"}</td>
                </tr>
              ))}
              {baselineRows.map((r) => (
                <tr key={`baseline/${r.method}`} className="baseline-row">
                  <td className="num" />
                  <td>baseline</td>
                  <td>{r.method}</td>
                  {r.cells.map((c, j) => (
                    <Cell key={fractions[j]} cell={c} best={false} metric={board.metric} />
                  ))}
                  <td><RunLinks runIds={r.runIds} /></td>
                  <td>—</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** Accuracies (fractions) in percent, as the label-efficiency chart shows them; other metrics as they are. */
function Cell({ cell, best, metric }: { cell: LeaderboardCell | null; best: boolean; metric: string }) {
  if (!cell) return <td className="num muted">—</td>;
  const percent = metric.endsWith("accuracy");
  const shown = (v: number) => (percent ? (100 * v).toFixed(1) : v.toFixed(3));
  return (
    <td className={best ? "num best-cell" : "num"} title={`${cell.mean} ± ${cell.std} (n = ${cell.n} seeds)`}>
      {shown(cell.mean)} <small>± {shown(cell.std)}{percent ? " %" : ""}</small>
    </td>
  );
}

function RunLinks({ runIds }: { runIds: number[] }) {
  const shown = runIds.slice(-3);
  return (
    <>
      {runIds.length > shown.length && "… "}
      {shown.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <Link href={`/runs/${id}`}>{id}</Link>
        </span>
      ))}
    </>
  );
}
