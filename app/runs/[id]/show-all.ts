/**
 * Long lists on the run page (tags, params) show their first items; `?tags=all` shows the rest.
 * The server renders only what is shown: a run's 1,000 tags cost a page nothing until asked for.
 */
export type RunPageSearch = { tags?: string; params?: string };

export const SHOWN_AT_FIRST = { tags: 24, params: 50 } as const;

/** This page's query string with one list expanded (`all`) or collapsed, the other one kept. */
export function showAllHref(search: RunPageSearch, list: keyof RunPageSearch, all: boolean): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...search, [list]: all ? "all" : undefined })) if (v !== undefined) next.set(k, v);
  const s = next.toString();
  return s ? `?${s}` : "?";
}
