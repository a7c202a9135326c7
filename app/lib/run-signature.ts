/** What of a run the server-rendered run page shows: when it changes, the page re-renders. */
export function runSignature(
  run: { status: string; statusReason: string | null; backend: string | null; worker: string | null; tags: Record<string, string> },
  artifacts: { name: string; bytes: number }[],
): string {
  return JSON.stringify([run.status, run.statusReason, run.backend, run.worker, run.tags, artifacts.map((a) => [a.name, a.bytes])]);
}

export const isLive = (status: string) => status === "queued" || status === "running";
