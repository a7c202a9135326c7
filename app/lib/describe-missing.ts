/** What a not-found page was asked for, read from its URL: Next gives not-found pages no params. */
export function describeMissing(pathname: string): { title: string; detail: string } {
  const [section, id] = pathname.split("/").filter(Boolean).map(safeDecode);
  const kind = ({ runs: "run", experiments: "experiment" } as Record<string, string | undefined>)[section];
  if (kind && id !== undefined) {
    const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
    if (!/^[1-9]\d*$/.test(id)) return { title: `No ${kind} “${clip(id)}”`, detail: `${Kind} ids are whole numbers, like /${section}/12.` };
    return { title: `${Kind} ${id} not found`, detail: `There is no ${kind} with id ${id}: it may have been deleted, or the link may be mistyped.` };
  }
  return { title: "Page not found", detail: `Nothing lives at ${clip(pathname)}.` };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray % is shown as typed
  }
}

/** A pasted URL can be long; the heading stays one line. */
function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}
