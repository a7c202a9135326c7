/** What of a run the server-rendered run page shows: when it changes, the page re-renders. */
export function runSignature(
  run: { status: string; statusReason: string | null; backend: string | null; device: string | null; worker: string | null; tags: Record<string, string> },
  artifacts: { name: string; bytes: number }[],
  workerActive: boolean,
): string {
  // tags enter as a digest: a run's 1,000 tags must not ride along in the page as a prop
  return JSON.stringify([run.status, run.statusReason, run.backend, run.device, run.worker, digest(JSON.stringify(run.tags)), artifacts.map((a) => [a.name, a.bytes]), workerActive]);
}

export const isLive = (status: string) => status === "queued" || status === "running";

/** Whether a run page keeps polling: while the run is open, or its worker is still stopping it. */
export const isFollowed = (status: string, workerActive: boolean) => isLive(status) || workerActive;

/** 32-bit FNV-1a of a string, in hex: enough to notice that tags changed. */
function digest(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${s.length}:${(h >>> 0).toString(16)}`;
}
