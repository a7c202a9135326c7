/** The runs table's state, all of it in the URL so a view can be shared and survives a reload. */
export interface Query {
  /** this page's path, e.g. /experiments/3 */
  path: string;
  q: string;
  sort: string;
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
  cols: string | null;
}

/** The URL of this page with some query parameters changed (undefined removes one). */
export function hrefWith(query: Query, changes: Partial<Record<"q" | "sort" | "dir" | "page" | "cols", string | undefined>>): string {
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
