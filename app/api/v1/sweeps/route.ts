import { handle, json, readJson } from "@/server/http";
import { getQueue } from "@/server/jobs/queue";
import { launchSweep } from "@/server/jobs/sweeps";

/** POST /api/v1/sweeps {name?, experiment?, base, method: grid|random, parameters, budget, metric?, goal?} */
export const POST = (req: Request) =>
  handle(req, async (database) => json(await launchSweep(database, await getQueue(database), await readJson(req)), 201));
