import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { formatDate, formatDuration, formatValue } from "@/app/lib/format";
import { fieldName, FilterSyntaxError, parseFieldName, type Field } from "@/server/services/run-filter";
import { RunsView, type Column, type RowData, type SearchError } from "./runs-view";

export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;
const DEFAULT_COLUMNS_EACH = 6;

type Search = { q?: string; sort?: string; dir?: string; page?: string; cols?: string };

/** Columns the table can show: params, latest metric values and tags. */
function toColumn(field: Field): Column | null {
  if (field.kind === "param") return { id: fieldName(field), kind: "param", key: field.key };
  if (field.kind === "metric" && field.summary === "last") return { id: fieldName(field), kind: "metric", key: field.key };
  if (field.kind === "tag") return { id: fieldName(field), kind: "tag", key: field.key };
  return null;
}

function chosenColumns(cols: string | undefined, keys: { params: string[]; metrics: string[] }): Column[] {
  if (cols === undefined) {
    return [
      ...keys.params.slice(0, DEFAULT_COLUMNS_EACH).map((key) => toColumn({ kind: "param", key })!),
      ...keys.metrics.slice(0, DEFAULT_COLUMNS_EACH).map((key) => toColumn({ kind: "metric", key, summary: "last" })!),
    ];
  }
  // Keys never contain commas (server/validation.ts), so a comma list is unambiguous.
  return cols
    .split(",")
    .filter(Boolean)
    .flatMap((c) => {
      try {
        return [toColumn(parseFieldName(c, "cols"))].filter((x): x is Column => x !== null);
      } catch {
        return []; // a hand-edited URL with a broken column just loses that column
      }
    });
}

export default async function RunsTablePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const sp = await searchParams;
  const q = sp.q ?? "";
  const dir = sp.dir === "asc" ? "asc" : "desc";
  const sort = sp.sort || "created";
  const page = Math.max(0, Math.floor(Number(sp.page ?? 0)) || 0);
  const caller = await api();
  const experiment = await caller.experiments.get({ id }).catch((err) => {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  let error: SearchError | null = null;
  const result = await caller.experiments.runs({ id, filter: q, sort, dir, page, pageSize: PAGE_SIZE }).catch((err) => {
    if (!(err instanceof TRPCError && err.code === "BAD_REQUEST")) throw err;
    const cause = err.cause instanceof FilterSyntaxError ? err.cause : null;
    error = { message: err.message, field: cause?.field ?? null, position: cause?.position ?? null };
    return null;
  });
  const keys = result?.keys ?? { params: [], metrics: [], tags: [] };
  const columns = chosenColumns(sp.cols, keys);
  const rows: RowData[] = (result?.runs ?? []).map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    created: formatDate(r.createdAt),
    duration: formatDuration(r.startedAt, r.endedAt),
    cells: columns.map((c) => formatValue(c.kind === "param" ? r.params[c.key] : c.kind === "metric" ? r.metrics[c.key] : r.tags[c.key])),
  }));
  return (
    <RunsView
      experiment={experiment}
      query={{ path: `/experiments/${id}`, q, sort: result?.sort ?? sort, dir, page, pageSize: PAGE_SIZE, cols: sp.cols ?? null }}
      total={result?.total ?? null}
      error={error}
      keys={keys}
      columns={columns}
      rows={rows}
    />
  );
}
