/** Next.js start-up hook. The runtime check must wrap the import so the edge bundle never sees Node code. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startAuth } = await import("./server/auth/start");
    await startAuth();
    const [{ sweepSilentRuns }, { getDatabase }] = await Promise.all([import("./server/services/silent-runs"), import("./server/db")]);
    sweepSilentRuns(await getDatabase());
    const { startEmbeddedWorkerIfWanted } = await import("./server/jobs/start-embedded-worker");
    await startEmbeddedWorkerIfWanted();
  }
}
