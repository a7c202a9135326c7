/** Scheduled tasks run by workers: the minute tick (due drift checks, running ramps, alert emails) and one monitor's check. */
import type PgBoss from "pg-boss";
import type { Database } from "@/server/db";
import { sendPendingEmails } from "@/server/alerts/email";
import { checkMonitor, type ReferenceData } from "@/server/drift/check";
import { dueMonitors, queueCheck } from "@/server/drift/schedule";
import { monitorId } from "@/server/drift/monitors";
import { evaluateRamps } from "@/server/rollout/ramp";
import { permutation, seededRandom } from "@/server/random";
import { simulationDataSpec } from "@/workers/cli/simulate";
import { dataPath } from "@/workers/engine/data/dataset";
import { loadDataset } from "@/workers/engine/data/load-dataset";

/** `size` samples of a dataset's split drawn without replacement, in served units (pixels stay 0-255). */
export async function loadReferenceData(data: string, split: "train" | "test", size: number, seed: number): Promise<ReferenceData> {
  const dataset = await loadDataset(await simulationDataSpec(data === "fashion-mnist" ? data : dataPath(data), "reference.data"));
  const set = split === "test" && dataset.test ? dataset.test : dataset.train;
  const width = set.x.length / set.count;
  const n = Math.min(size, set.count);
  const ids = permutation(set.count, seededRandom(seed)).subarray(0, n);
  const raw = new Float32Array(n * width);
  ids.forEach((id, i) => raw.set(set.x.subarray(id * width, (id + 1) * width), i * width));
  return { raw, n, shape: dataset.descriptor.shape };
}

export interface TaskContext {
  database: Database;
  queue: PgBoss;
}

export const scheduledTasks: Record<string, (args: Record<string, unknown>, ctx: TaskContext) => Promise<void>> = {
  /** does nothing: the queue bench's job (bench/queue.ts) */
  noop: async () => {},
  async tick(_args, { database, queue }) {
    for (const id of await dueMonitors(database, new Date())) await queueCheck(queue, id);
    await evaluateRamps(database);
    await sendPendingEmails(database);
  },
  async "drift-check"(args, { database }) {
    await checkMonitor(database, monitorId.parse(args.monitorId), { loadData: loadReferenceData });
    await sendPendingEmails(database);
  },
};
