/**
 * Node-only half of instrumentation.ts: in embedded mode (no DATABASE_URL) the app's own process
 * runs one worker, in a worker thread (workers/worker/embedded.ts), so a run launched from the UI
 * trains with nothing else started and never blocks the pages.
 * PRETEXT_EMBEDDED_WORKER=0 turns it off; =1 turns it on with PostgreSQL too.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";

export async function startEmbeddedWorkerIfWanted() {
  const wanted = process.env.PRETEXT_EMBEDDED_WORKER ?? (process.env.DATABASE_URL ? "0" : "1");
  if (wanted !== "1") return;
  // The worker is loaded the way the CLI loads it (Node + tsx), not bundled: tfjs-core's gradient
  // modules are ESM that only a TypeScript-aware loader resolves. It serves this process's database
  // client, which lives on globalThis, to its thread.
  process.env.TSX_TSCONFIG_PATH ??= path.resolve("tsconfig.json");
  await import(/* webpackIgnore: true */ "tsx" as string);
  const embedded = await import(/* webpackIgnore: true */ pathToFileURL(path.resolve("workers/worker/embedded.ts")).href);
  await embedded.startEmbeddedWorker();
}
