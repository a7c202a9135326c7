/** The worker that runs inside the app's process in embedded mode (see instrumentation.ts). */
import { getDatabase } from "@/server/db";
import { getQueue } from "@/server/jobs/queue";
import { startWorker } from "./worker";

export async function startEmbeddedWorker() {
  const database = await getDatabase();
  const queue = await getQueue(database);
  const worker = await startWorker({ database, queue, concurrency: 1, name: `embedded-${process.pid}` });
  process.once("SIGTERM", async () => {
    await worker.stop();
    await queue.stop({ graceful: true, wait: true, timeout: 20_000 });
    process.exit(0);
  });
}
