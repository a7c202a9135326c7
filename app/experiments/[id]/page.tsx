import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { api } from "@/app/lib/server-api";
import { describeValue, formatDate, formatDuration } from "@/app/lib/format";
import { fieldName, FilterSyntaxError, parseFieldName, type Field } from "@/server/services/run-filter";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { RunsView, type SearchError } from "./runs-view";
import type { Column, RowData } from "./runs-grid";

export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;

type Outputs = inferRouterOutputs<AppRouter>["experiments"];
type ListedRun = Outputs["runs"]["runs"][number];
type DefaultColumn = Outputs["defaultColumns"][number];

type Search = { q?: string; sort?: string; dir?: string; page?: string; cols?: string };

/** Columns the table can show: params, latest metric values and tags. */
function toColumn(field: Field): Column | null {
  if (field.kind === "param") return { id: fieldName(field), kind: "param", key: field.key };
  if (field.kind === "metric" && field.summary === "last") return { id: fieldName(field), kind: "metric", key: field.key };
  if (field.kind === "tag") return { id: fieldName(field), kind: "tag", key: field.key };
  return null;
}

/** The URL's columns; without a `cols` parameter, the ones the server chose for this experiment. */
function chosenColumns(cols: string | undefined, defaults: DefaultColumn[]): Column[] {
  if (cols === undefined) {
    return defaults.map((d) => ({ ...toColumn(d.kind === "param" ? { kind: "param", key: d.key } : { kind: "metric", key: d.key, summary: "last" })!, reason: d.reason }));
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
  const [result, defaults] = await Promise.all([
    caller.experiments.runs({ id, filter: q, sort, dir, page, pageSize: PAGE_SIZE, group: true }).catch((err) => {
      if (!(err instanceof TRPCError && err.code === "BAD_REQUEST")) throw err;
      const cause = err.cause instanceof FilterSyntaxError ? err.cause : null;
      error = { message: err.message, field: cause?.field ?? null, position: cause?.position ?? null };
      return null;
    }),
    sp.cols === undefined ? caller.experiments.defaultColumns({ id }) : [],
  ]);
  const keys = result?.keys ?? { params: [], metrics: [], tags: [] };
  const columns = chosenColumns(sp.cols, defaults);
  const toRow = (r: ListedRun, nestedUnder: number | null): RowData => ({
    id: r.id,
    name: r.name,
    status: r.status,
    created: formatDate(r.createdAt),
    duration: formatDuration(r.startedAt, r.endedAt),
    parentRunId: r.parentRunId === nestedUnder ? null : r.parentRunId,
    cells: columns.map((c) => describeValue(c.kind === "param" ? r.params[c.key] : c.kind === "metric" ? r.metrics[c.key] : r.tags[c.key])),
  });
  const rows = (result?.runs ?? []).map((r) => toRow(r, null));
  const trials = (result?.trials ?? []).map((g) => ({ parentRunId: g.parentRunId, total: g.total, rows: g.runs.map((r) => toRow(r, g.parentRunId)) }));
  return (
    <RunsView
      experiment={experiment}
      query={{ path: `/experiments/${id}`, q, sort: result?.sort ?? sort, dir, page, pageSize: PAGE_SIZE, cols: sp.cols ?? null }}
      total={result?.total ?? null}
      error={error}
      keys={keys}
      columns={columns}
      rows={rows}
      trials={trials}
    />
  );
}
