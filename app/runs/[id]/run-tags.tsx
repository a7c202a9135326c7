import Link from "next/link";
import { ValueText } from "@/app/components/value-text";
import { SHOWN_AT_FIRST, showAllHref, type RunPageSearch } from "./show-all";

/** Tags shown as links to another run. */
const RUN_LINK_TAGS = new Set(["best_run", "encoder_run"]);

function Tag({ name, value }: { name: string; value: string }) {
  return (
    <div>
      <span title={name}>{name}</span>
      {RUN_LINK_TAGS.has(name) ? <Link href={`/runs/${value}`}>run {value}</Link> : <ValueText value={value} />}
    </div>
  );
}

/** A run's tags in its facts grid: the first few dozen, the rest on request in a scrolling box. */
export function RunTagFacts({ tags, search }: { tags: [string, string][]; search: RunPageSearch }) {
  const first = tags.slice(0, SHOWN_AT_FIRST.tags);
  const rest = tags.length - first.length;
  return (
    <>
      {first.map(([k, v]) => (
        <Tag key={k} name={k} value={v} />
      ))}
      {rest > 0 && (
        <div className="show-all">
          <span>{search.tags === "all" ? `${rest.toLocaleString("en-US")} more tags in the box below` : `${rest.toLocaleString("en-US")} more tags`}</span>
          <Link href={showAllHref(search, "tags", search.tags !== "all")} scroll={false} data-testid="show-all-tags">
            {search.tags === "all" ? "show fewer" : `show all ${tags.length.toLocaleString("en-US")}`}
          </Link>
        </div>
      )}
    </>
  );
}

/** The tags past the first few dozen, when asked for: bounded in height so the page stays a page. */
export function RunTagOverflow({ tags, search }: { tags: [string, string][]; search: RunPageSearch }) {
  if (search.tags !== "all" || tags.length <= SHOWN_AT_FIRST.tags) return null;
  return (
    <div className="facts facts-overflow" data-testid="all-tags" aria-label="All tags">
      {tags.slice(SHOWN_AT_FIRST.tags).map(([k, v]) => (
        <Tag key={k} name={k} value={v} />
      ))}
    </div>
  );
}
