"use client";

import "./runs-table.css";
import Link from "next/link";
import { Fragment, useMemo, useState } from "react";
import { StatusBadge } from "@/app/components/status-badge";
import { hrefWith, type Query } from "./runs-query";
import { useSelection } from "./use-selection";

export interface Column {
  /** the field as written in expressions and in the `cols` URL parameter, e.g. params.lr */
  id: string;
  kind: "param" | "metric" | "tag";
  key: string;
  /** why the server chose it as a default column (tooltip) */
  reason?: string;
}

/** A value as shown, and the whole of it when that lost digits or text (app/lib/format.ts). */
export interface Cell {
  text: string;
  full?: string;
}

export interface RowData {
  id: number;
  name: string;
  status: string;
  created: string;
  duration: string;
  /** the run this one is a trial of, when that run is not the row it is nested under */
  parentRunId: number | null;
  /** one per column */
  cells: Cell[];
}

/** The trials of one top-level run: at most the server's limit of them, and how many match in all. */
export interface TrialGroup {
  parentRunId: number;
  total: number;
  rows: RowData[];
}

export function RunsGrid(props: {
  experimentId: number;
  query: Query;
  columns: Column[];
  rows: RowData[];
  trials: TrialGroup[];
  pending: boolean;
  navigate: (href: string) => void;
}) {
  const { experimentId, query, columns, rows, trials, pending, navigate } = props;
  const selection = useSelection(experimentId);
  const trialsOf = useMemo(() => new Map(trials.map((g) => [g.parentRunId, g])), [trials]);
  // a search shows the trials it matched; otherwise a sweep stays one row until opened
  const [open, setOpen] = useState<Set<number>>(() => new Set(query.q ? trials.map((g) => g.parentRunId) : []));
  const toggle = (id: number) => setOpen((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const pageIds = useMemo(() => [...rows.map((r) => r.id), ...trials.flatMap((g) => g.rows.map((r) => r.id))], [rows, trials]);
  const allOnPage = pageIds.every((id) => selection.has(id));

  const SortHeader = ({ field, label, kind, numeric, title, className }: { field: string; label: string; kind?: string; numeric?: boolean; title?: string; className?: string }) => {
    const active = query.sort === field;
    // a new column sorts best-first for metrics and dates, alphabetically otherwise
    const firstDir = field.startsWith("metrics.") || field === "created" ? "desc" : "asc";
    const nextDir = active ? (query.dir === "asc" ? "desc" : "asc") : firstDir;
    const classes = [numeric ? "num" : "", className ?? ""].join(" ").trim();
    return (
      <th className={classes || undefined} title={title} aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : undefined}>
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

  // a function, not a component: rows keep their DOM (and a clicked checkbox its focus) across renders
  const runRow = (row: RowData, trial: boolean) => {
    const group = trial ? undefined : trialsOf.get(row.id);
    const classes = [selection.has(row.id) ? "selected" : "", trial ? "trial-row" : ""].join(" ").trim();
    return (
      <tr key={row.id} className={classes || undefined} data-run-id={row.id}>
        <td className="select-cell sticky-col">
          <input type="checkbox" aria-label={`Select ${row.name}`} checked={selection.has(row.id)} onChange={() => selection.toggle(row.id)} />
        </td>
        <td className="name-cell sticky-col" title={row.name}>
          <Link href={`/runs/${row.id}`} prefetch={false}>
            {row.name}
          </Link>
          {group && (
            <button type="button" className="trial-toggle" aria-expanded={open.has(row.id)} onClick={() => toggle(row.id)} data-testid="trial-toggle">
              {open.has(row.id) ? "▾" : "▸"} {group.total.toLocaleString("en-US")} trial{group.total === 1 ? "" : "s"}
            </button>
          )}
          {row.parentRunId !== null && !trial && (
            <Link className="parent-link" href={`/runs/${row.parentRunId}`} prefetch={false} title="Its parent run is not in this list (filtered out, or in another experiment)">
              parent: run {row.parentRunId}
            </Link>
          )}
        </td>
        <td>
          <StatusBadge status={row.status} />
        </td>
        <td>{row.created}</td>
        <td>{row.duration}</td>
        {row.cells.map((cell, i) => (
          <td key={columns[i].id} className={columns[i].kind === "metric" ? "num value-cell" : "value-cell"} title={cell.full}>
            {cell.text}
          </td>
        ))}
      </tr>
    );
  };

  return (
    <div className={`table-scroll runs-table${pending ? " pending" : ""}`}>
      <table className="grid" data-testid="runs-table">
        <thead>
          <tr>
            <th className="select-cell sticky-col">
              <input type="checkbox" aria-label="Select all runs on this page" checked={allOnPage} onChange={(e) => selection.setMany(pageIds, e.target.checked)} />
            </th>
            <SortHeader field="name" label="Run" className="name-cell sticky-col" />
            <SortHeader field="status" label="Status" />
            <SortHeader field="created" label="Created" />
            <th className="plain-header">Duration</th>
            {columns.map((c) => (
              <SortHeader key={c.id} field={c.id} label={c.key} kind={c.kind} numeric={c.kind === "metric"} title={c.reason ? `${c.id}: ${c.reason}` : c.id} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const group = trialsOf.get(r.id);
            return (
              <Fragment key={r.id}>
                {runRow(r, false)}
                {group && open.has(r.id) && group.rows.map((t) => runRow(t, true))}
                {group && open.has(r.id) && group.total > group.rows.length && (
                  <tr className="trial-row trial-more">
                    <td className="select-cell sticky-col" />
                    <td className="name-cell sticky-col" colSpan={4}>
                      {group.rows.length} of {group.total.toLocaleString("en-US")} trials shown · <Link href={`/runs/${r.id}`}>all of them on {r.name}</Link>
                    </td>
                    {columns.length > 0 && <td colSpan={columns.length} />}
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
