/** The embedded worker's thread (started by ./embedded.ts): a worker on the app's database and queue. */
import os from "node:os";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { openDatabase, pgliteDatabaseOver } from "@/server/db";
import { PgliteProxy } from "@/server/db/pglite-proxy";
import { createQueue } from "@/server/jobs/queue";
import { startWorker } from "./worker";

const TRAINING_NICE = 10;

export interface EmbeddedThreadData {
  name: string;
  /** the app's PGlite, served over this port */
  databasePort?: MessagePort;
  /** or the app's PostgreSQL */
  databaseUrl?: string;
}

const { name, databasePort, databaseUrl } = workerData as EmbeddedThreadData;
// On Linux the nice value is per thread: training (and the threads it starts) yields the cores to
// the web server whenever both want them, and takes them all when the app is idle.
os.setPriority(TRAINING_NICE);
const database = databasePort ? pgliteDatabaseOver(new PgliteProxy(databasePort)) : await openDatabase({ databaseUrl });
const queue = await createQueue(database);
const worker = await startWorker({ database, queue, concurrency: 1, name });

parentPort?.on("message", async (msg: { type: string }) => {
  if (msg.type !== "stop") return;
  await worker.stop();
  await queue.stop({ graceful: true, wait: true, timeout: 20_000 });
  await database.close();
  process.exit(0);
});
