"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { RunsGrid, type Column, type RowData, type TrialGroup } from "./runs-grid";
import { hrefWith, type Query } from "./runs-query";
import { useSelection } from "./use-selection";

export interface SearchError {
  message: string;
  /** which input was at fault: filter (the search box) or sort */
  field: string | null;
  /** 0-based offset into that input */
  position: number | null;
}

const EXAMPLES = ['params.method = "simclr" and metrics.knn_acc > 0.8', 'status = "finished" or tags.team = "vision"', "max(metrics.knn_acc) >= 0.9"];

export function RunsView(props: {
  experiment: { id: number; name: string; project: string };
  query: Query;
  total: number | null;
  error: SearchError | null;
  keys: { params: string[]; metrics: string[]; tags: string[] };
  columns: Column[];
  rows: RowData[];
  trials: TrialGroup[];
}) {
  const { experiment, query, total, error, keys, columns, rows, trials } = props;
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
        <RunsGrid experimentId={experiment.id} query={query} columns={columns} rows={rows} trials={trials} pending={pending} navigate={navigate} />
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
