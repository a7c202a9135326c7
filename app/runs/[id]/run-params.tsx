import Link from "next/link";
import { ValueText } from "@/app/components/value-text";
import { SHOWN_AT_FIRST, showAllHref, type RunPageSearch } from "./show-all";

/** A run's params: the first fifty, all of them on request in a box that scrolls. */
export function RunParams({ params, search }: { params: { key: string; value: unknown }[]; search: RunPageSearch }) {
  if (params.length === 0) return <div className="empty">No params logged.</div>;
  const all = search.params === "all";
  const shown = all ? params : params.slice(0, SHOWN_AT_FIRST.params);
  return (
    <>
      <div className={all ? "bounded-scroll" : undefined}>
        <table className="grid kv" data-testid="params">
          <tbody>
            {shown.map((p) => (
              <tr key={p.key}>
                <td>{p.key}</td>
                <td>
                  <ValueText value={p.value} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {params.length > SHOWN_AT_FIRST.params && (
        <p className="show-all">
          <span>{all ? `all ${params.length.toLocaleString("en-US")} params` : `${shown.length} of ${params.length.toLocaleString("en-US")} params`}</span>
          <Link href={showAllHref(search, "params", !all)} scroll={false} data-testid="show-all-params">
            {all ? "show fewer" : "show all"}
          </Link>
        </p>
      )}
    </>
  );
}
