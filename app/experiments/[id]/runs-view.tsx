"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition } from "react";
import { StatusBadge } from "@/app/components/status-badge";

export interface Column {
  /** the field as written in expressions and in the `cols` URL parameter, e.g. params.lr */
  id: string;
  kind: "param" | "metric" | "tag";
  key: string;
}

export interface RowData {
  id: number;
  name: string;
  status: string;
  created: string;
  duration: string;
  /** formatted values, one per column */
  cells: string[];
}

export interface SearchError {
  message: string;
  /** which input was at fault: filter (the search box) or sort */
  field: string | null;
  /** 0-based offset into that input */
  position: number | null;
}

interface Query {
  /** this page's path, e.g. /experiments/3 */
  path: string;
  q: string;
  sort: string;
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
  cols: string | null;
}

const EXAMPLES = ['params.method = "simclr" and metrics.knn_acc > 0.8', 'status = "finished" or tags.team = "vision"', "max(metrics.knn_acc) >= 0.9"];

/** The URL of this page with some query parameters changed (undefined removes one). */
function hrefWith(query: Query, changes: Partial<Record<"q" | "sort" | "dir" | "page" | "cols", string | undefined>>): string {
  const current: Record<string, string | undefined> = {
    q: query.q || undefined,
    sort: query.sort === "created" ? undefined : query.sort,
    dir: query.dir === "desc" ? undefined : query.dir,
    page: query.page ? String(query.page) : undefined,
    cols: query.cols ?? undefined,
  };
  const merged = { ...current, ...changes };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) search.set(k, v);
  const s = search.toString();
  return s ? `${query.path}?${s}` : query.path;
}

export function RunsView(props: {
  experiment: { id: number; name: string; project: string };
  query: Query;
  total: number | null;
  error: SearchError | null;
  keys: { params: string[]; metrics: string[]; tags: string[] };
  columns: Column[];
  rows: RowData[];
}) {
  const { experiment, query, total, error, keys, columns, rows } = props;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const navigate = (href: string) => startTransition(() => router.push(href, { scroll: false }));
  const pages = total === null ? 1 : Math.max(1, Math.ceil(total / query.pageSize));

  return (
    <>
      <h1>{experiment.name}</h1>
      <p className="subtitle">
        {experiment.project}
        {total !== null && ` · ${total.toLocaleString("en-US")} run${total === 1 ? "" : "s"}${query.q ? (total === 1 ? " matches" : " match") : ""}`}
      </p>
      <SearchBox query={query} error={error} onSearch={(q) => navigate(hrefWith(query, { q: q.trim() || undefined, page: undefined }))} />
      <Toolbar experimentId={experiment.id} query={query} keys={keys} columns={columns} pending={pending} navigate={navigate} />
      {error ? (
        <div className="empty">Fix the expression above to see runs.</div>
      ) : rows.length === 0 ? (
        <div className="empty">{query.q ? "No runs match this expression." : "No runs in this experiment yet."}</div>
      ) : (
        <RunsGrid experimentId={experiment.id} query={query} columns={columns} rows={rows} pending={pending} navigate={navigate} />
      )}
      {pages > 1 && (
        <div className="pager">
          <button className="button" disabled={query.page === 0 || pending} onClick={() => navigate(hrefWith(query, { page: query.page > 1 ? String(query.page - 1) : undefined }))}>
            ← previous
          </button>
          <span>
            page {query.page + 1} of {pages.toLocaleString("en-US")}
          </span>
          <button className="button" disabled={query.page + 1 >= pages || pending} onClick={() => navigate(hrefWith(query, { page: String(query.page + 1) }))}>
            next →
          </button>
        </div>
      )}
    </>
  );
}

function SearchBox({ query, error, onSearch }: { query: Query; error: SearchError | null; onSearch: (q: string) => void }) {
  const [text, setText] = useState(query.q);
  useEffect(() => setText(query.q), [query.q]);
  const filterError = error && error.field !== "sort" ? error : null;
  return (
    <form
      className="run-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text);
      }}
    >
      <div className="run-search-row">
        <input
          aria-label="Search runs"
          data-testid="run-search"
          className={filterError ? "invalid" : undefined}
          value={text}
          spellCheck={false}
          placeholder='params.method = "simclr" and metrics.knn_acc > 0.8'
          onChange={(e) => setText(e.target.value)}
        />
        <button className="button primary" type="submit">
          Search
        </button>
        {query.q && (
          <button className="button" type="button" onClick={() => onSearch("")}>
            Clear
          </button>
        )}
      </div>
      <div className="run-search-help" data-testid="search-message">
        {error ? (
          <div className="search-error" role="alert">
            {error.position !== null && error.field === "filter" && (
              <pre className="search-caret">
                {query.q}
                {"\n"}
                {" ".repeat(error.position)}^
              </pre>
            )}
            {error.message}
          </div>
        ) : (
          <span>
            Filter on <code>params.KEY</code>, <code>metrics.KEY</code> (latest), <code>min(…)</code>/<code>max(…)</code>, <code>tags.KEY</code>,{" "}
            <code>status</code>, <code>name</code> with <code>= != &lt; &lt;= &gt; &gt;= like</code>, <code>and or not ( )</code>. Try:{" "}
            {EXAMPLES.map((ex) => (
              <button key={ex} type="button" className="linkish" onClick={() => setText(ex)}>
                {ex}
              </button>
            ))}
          </span>
        )}
      </div>
    </form>
  );
}

function Toolbar(props: {
  experimentId: number;
  query: Query;
  keys: { params: string[]; metrics: string[]; tags: string[] };
  columns: Column[];
  pending: boolean;
  navigate: (href: string) => void;
}) {
  const { experimentId, query, keys, columns, pending, navigate } = props;
  const selection = useSelection(experimentId);
  const router = useRouter();
  return (
    <div className="runs-toolbar">
      <ColumnChooser keys={keys} columns={columns} onChange={(cols) => navigate(hrefWith(query, { cols }))} />
      <span className="runs-pending" aria-live="polite">
        {pending ? "loading…" : ""}
      </span>
      <span className="spacer" />
      {selection.ids.length > 0 && (
        <button className="button" onClick={selection.clear}>
          Clear selection
        </button>
      )}
      <button
        className="button primary"
        data-testid="compare-button"
        disabled={selection.ids.length < 2}
        title={selection.ids.length < 2 ? "Select two or more runs to compare" : undefined}
        onClick={() => router.push(`/compare?runs=${selection.ids.join(",")}`)}
      >
        Compare ({selection.ids.length})
      </button>
    </div>
  );
}

/**
 * The selected run ids of an experiment, kept in sessionStorage so a selection survives paging,
 * sorting and filtering; every component using it sees the same set.
 */
function useSelection(experimentId: number) {
  const storageKey = `pretext:selected:${experimentId}`;
  const [ids, setIds] = useState<number[]>([]);
  useEffect(() => {
    const read = () => setIds(JSON.parse(sessionStorage.getItem(storageKey) ?? "[]") as number[]);
    read();
    window.addEventListener("pretext-selection", read);
    return () => window.removeEventListener("pretext-selection", read);
  }, [storageKey]);
  const save = (next: number[]) => {
    sessionStorage.setItem(storageKey, JSON.stringify(next));
    window.dispatchEvent(new Event("pretext-selection"));
  };
  return {
    ids,
    has: (id: number) => ids.includes(id),
    toggle: (id: number) => save(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]),
    setMany: (many: number[], on: boolean) => save(on ? [...new Set([...ids, ...many])] : ids.filter((x) => !many.includes(x))),
    clear: () => save([]),
  };
}

function ColumnChooser(props: { keys: { params: string[]; metrics: string[]; tags: string[] }; columns: Column[]; onChange: (cols: string | undefined) => void }) {
  const { keys, columns, onChange } = props;
  const [filter, setFilter] = useState("");
  // ticks show at once; the table follows when the server has the new columns
  const shown = columns.map((c) => c.id).join(",");
  const [ids, setIds] = useState(columns.map((c) => c.id));
  useEffect(() => setIds(shown ? shown.split(",") : []), [shown]);
  const chosen = new Set(ids);
  const quote = (k: string) => (/^[A-Za-z0-9_\-./:]+$/.test(k) ? k : `\`${k}\``);
  const groups: [string, string[]][] = [
    ["Params", keys.params.map((k) => `params.${quote(k)}`)],
    ["Metrics (latest)", keys.metrics.map((k) => `metrics.${quote(k)}`)],
    ["Tags", keys.tags.map((k) => `tags.${quote(k)}`)],
  ];
  const toggle = (id: string) => {
    const next = chosen.has(id) ? ids.filter((x) => x !== id) : [...ids, id];
    setIds(next);
    onChange(next.join(","));
  };
  const needle = filter.toLowerCase();
  return (
    <details className="column-chooser">
      <summary className="button">Columns ({columns.length})</summary>
      <div className="column-chooser-panel">
        <input placeholder="filter keys" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter column keys" />
        {groups.map(([title, ids]) =>
          ids.length === 0 ? null : (
            <fieldset key={title}>
              <legend>{title}</legend>
              {ids
                .filter((id) => id.toLowerCase().includes(needle))
                .map((id) => (
                  <label key={id}>
                    <input type="checkbox" checked={chosen.has(id)} onChange={() => toggle(id)} /> {id.slice(id.indexOf(".") + 1)}
                  </label>
                ))}
            </fieldset>
          ),
        )}
        <div className="column-chooser-actions">
          <button type="button" className="button" onClick={() => onChange(undefined)}>
            Default
          </button>
          <button type="button" className="button" onClick={() => onChange("")}>
            None
          </button>
        </div>
      </div>
    </details>
  );
}

function RunsGrid(props: { experimentId: number; query: Query; columns: Column[]; rows: RowData[]; pending: boolean; navigate: (href: string) => void }) {
  const { experimentId, query, columns, rows, pending, navigate } = props;
  const selection = useSelection(experimentId);
  const pageIds = useMemo(() => rows.map((r) => r.id), [rows]);
  const allOnPage = pageIds.every((id) => selection.has(id));

  const SortHeader = ({ field, label, kind, numeric, title }: { field: string; label: string; kind?: string; numeric?: boolean; title?: string }) => {
    const active = query.sort === field;
    // a new column sorts best-first for metrics and dates, alphabetically otherwise
    const firstDir = field.startsWith("metrics.") || field === "created" ? "desc" : "asc";
    const nextDir = active ? (query.dir === "asc" ? "desc" : "asc") : firstDir;
    return (
      <th className={numeric ? "num" : undefined} title={title} aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : undefined}>
        <button
          className="sort-header"
          onClick={() => navigate(hrefWith(query, { sort: field === "created" ? undefined : field, dir: nextDir === "desc" ? undefined : nextDir, page: undefined }))}
        >
          {kind && <span className="col-kind">{kind}</span>}
          <span>
            {label}
            <span className="sort-mark">{active ? (query.dir === "asc" ? "▲" : "▼") : ""}</span>
          </span>
        </button>
      </th>
    );
  };

  return (
    <div className={`table-scroll runs-table${pending ? " pending" : ""}`}>
      <table className="grid" data-testid="runs-table">
        <thead>
          <tr>
            <th className="select-cell">
              <input type="checkbox" aria-label="Select all runs on this page" checked={allOnPage} onChange={(e) => selection.setMany(pageIds, e.target.checked)} />
            </th>
            <SortHeader field="name" label="Run" />
            <SortHeader field="status" label="Status" />
            <SortHeader field="created" label="Created" />
            <th className="plain-header">Duration</th>
            {columns.map((c) => (
              <SortHeader key={c.id} field={c.id} label={c.key} kind={c.kind} numeric={c.kind === "metric"} title={c.id} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={selection.has(r.id) ? "selected" : undefined}>
              <td className="select-cell">
                <input type="checkbox" aria-label={`Select ${r.name}`} checked={selection.has(r.id)} onChange={() => selection.toggle(r.id)} />
              </td>
              <td>
                <Link href={`/runs/${r.id}`} prefetch={false}>
                  {r.name}
                </Link>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.created}</td>
              <td>{r.duration}</td>
              {r.cells.map((v, i) => (
                <td key={columns[i].id} className={columns[i].kind === "metric" ? "num" : undefined}>
                  {v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
