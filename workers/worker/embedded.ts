/**
 * The worker that runs beside the app in embedded mode (see instrumentation.ts), in a worker
 * thread so that training never blocks the web server's event loop. On PGlite the thread reaches
 * the app's database through a proxy (server/db/pglite-proxy.ts); on PostgreSQL it opens its own
 * pool. A thread that dies is started again; SIGTERM stops it gracefully (jobs checkpoint and go
 * back to the queue).
 */
import { once } from "node:events";
import path from "node:path";
import { MessageChannel, type Worker } from "node:worker_threads";
import { connectionStringOf, getDatabase, type Database } from "@/server/db";
import { servePglite } from "@/server/db/pglite-proxy";
import { spawnThread } from "@/workers/engine/spawn-thread";
import type { EmbeddedThreadData } from "./embedded-thread";

const THREAD_URL = new URL(`./embedded-thread${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url);
const RESTART_DELAY_MS = 2000;
const STOP_TIMEOUT_MS = 30_000;

export interface EmbeddedWorker {
  name: string;
  /** Graceful stop: the running job checkpoints and goes back to the queue. */
  stop(): Promise<void>;
}

/** Starts the worker thread on `database` (default: the app's) and stops it on SIGTERM. */
export async function startEmbeddedWorker(given?: Database, name = `embedded-${process.pid}`): Promise<EmbeddedWorker> {
  const database = given ?? (await getDatabase());
  let stopping = false;
  let thread: Worker;

  const start = () => {
    const channel = database.kind === "pglite" ? new MessageChannel() : undefined;
    const rollbackOpen = channel && database.kind === "pglite" ? servePglite(database.client, channel.port1) : undefined;
    const workerData: EmbeddedThreadData =
      database.kind === "pglite" ? { name, databasePort: channel?.port2 } : { name, databaseUrl: connectionStringOf(database) };
    thread = spawnThread(THREAD_URL, { workerData, transferList: channel ? [channel.port2] : [] });
    thread.on("error", (err) => console.error(`embedded worker: ${err.stack ?? err.message}`));
    thread.once("exit", async (code) => {
      channel?.port1.close();
      await rollbackOpen?.();
      if (stopping) return;
      console.error(`embedded worker: thread exited (code ${code}); restarting in ${RESTART_DELAY_MS / 1000} s`);
      setTimeout(start, RESTART_DELAY_MS).unref();
    });
  };
  start();

  const stop = async () => {
    stopping = true;
    const exited = once(thread, "exit");
    thread.postMessage({ type: "stop" });
    const timeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([exited.then(() => "exited"), timeout])) !== "exited") await thread.terminate();
  };
  const onSigterm = async () => {
    await stop();
    process.exit(0);
  };
  process.once("SIGTERM", onSigterm);
  return {
    name,
    stop: async () => {
      process.off("SIGTERM", onSigterm);
      await stop();
    },
  };
}
