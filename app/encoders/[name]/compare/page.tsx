import Link from "next/link";
import { notFound } from "next/navigation";
import { api } from "@/app/lib/server-api";
import { decodeSegment, differenceText, differenceVerdict, encoderHref, encodersHref, labelPercent, metricText, spreadText, versionHref } from "@/app/lib/encoder-registry";
import { StageBadge } from "@/app/components/stage-badge";
import { ComparePicker } from "../../compare-picker";
import { orNotFound } from "../../not-found-on";
import "../../registry.css";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Two versions of one name side by side: every benchmark result both have, with b − a ± its standard error. */
export default async function CompareVersionsPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<SearchParams> }) {
  const name = decodeSegment((await params).name);
  const sp = await searchParams;
  const caller = await api();
  const { versions } = await orNotFound(caller.registry.versions({ name }));
  const byId = (text: string | undefined) => versions.find((v) => String(v.id) === text);
  const [a, b] = [byId(first(sp.a)), byId(first(sp.b))];
  if (!a || !b) notFound();
  const { results } = await orNotFound(caller.registry.compare({ a: a.id, b: b.id }));
  const side = (s: { mean: number; std: number; n: number } | null, metric: string) =>
    s ? (
      <>
        {metricText(metric, s.mean)} <small className="muted">± {spreadText(metric, s.std)} (n = {s.n})</small>
      </>
    ) : (
      <span className="muted">not measured</span>
    );

  return (
    <>
      <p className="subtitle">
        <Link href={encodersHref}>Encoders</Link> / <Link href={encoderHref(name)}>{name}</Link> / compare
      </p>
      <h1>
        {name}: <Link href={versionHref(name, a.version)}>v{a.version}</Link> <StageBadge stage={a.stage} /> vs <Link href={versionHref(name, b.version)}>v{b.version}</Link>{" "}
        <StageBadge stage={b.stage} />
      </h1>
      <p className="subtitle">Means over seeds ± std; Δ = v{b.version} − v{a.version} ± its standard error. Coloured only where |Δ| &gt; 2 SE, with at least two seeds a side.</p>
      <ComparePicker name={name} versions={versions} a={a.id} b={b.id} />
      {results.length === 0 ? (
        <div className="empty" data-testid="compare-empty">
          Neither version has benchmark results yet: evaluate them from their runs (Launch evaluation), then compare.
        </div>
      ) : (
        <div className="table-scroll registry-section">
          <table className="grid" data-testid="version-diff">
            <thead>
              <tr>
                <th>Benchmark</th>
                <th>Metric</th>
                <th>Method</th>
                <th className="num">Labels</th>
                <th className="num">v{a.version}</th>
                <th className="num">v{b.version}</th>
                <th className="num">Δ ± SE</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => {
                const verdict = differenceVerdict(r.metric, r.diff, r.se, r.a?.n ?? 0, r.b?.n ?? 0);
                return (
                  <tr key={`${r.benchmark}/${r.metric}/${r.method}/${r.labelFraction}`}>
                    <td>{r.benchmark}</td>
                    <td>{r.metric}</td>
                    <td>{r.method}</td>
                    <td className="num">{labelPercent(r.labelFraction)}</td>
                    <td className="num">{side(r.a, r.metric)}</td>
                    <td className="num">{side(r.b, r.metric)}</td>
                    <td className={`num ${verdict === "unclear" ? "" : verdict}`} data-verdict={verdict} title={r.diff === null ? undefined : `${r.diff} ± ${r.se}`}>
                      {r.diff === null ? (
                        <span className="muted">—</span>
                      ) : (
                        <>
                          {differenceText(r.metric, r.diff)} <small>± {r.se === null || (r.a?.n ?? 0) < 2 || (r.b?.n ?? 0) < 2 ? "?" : spreadText(r.metric, r.se)}</small>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
