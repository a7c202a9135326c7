/** Next.js start-up hook. The runtime check must wrap the import so the edge bundle never sees Node code. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startEmbeddedWorkerIfWanted } = await import("./server/jobs/start-embedded-worker");
    await startEmbeddedWorkerIfWanted();
  }
}
