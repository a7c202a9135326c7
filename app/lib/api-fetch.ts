/** fetch for the pages' own writes to /api/v1: JSON, with the session's CSRF header; errors thrown with the server's message. */
export function csrfHeader(): Record<string, string> {
  const match = /(?:^|;\s*)pretext_csrf=([^;]+)/.exec(document.cookie);
  return match ? { "x-pretext-csrf": decodeURIComponent(match[1]) } : {};
}

export async function apiFetch<T = unknown>(path: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...csrfHeader(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(((await res.json().catch(() => null)) as { error?: string } | null)?.error ?? `${res.status} ${res.statusText}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
