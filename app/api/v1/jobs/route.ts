import { handle, json, readJson } from "@/server/http";
import { launchRun, type LaunchInput } from "@/server/jobs/launch";
import { getQueue } from "@/server/jobs/queue";

/** POST /api/v1/jobs {kind?: pretrain|evaluate|audit|sweep-trial, experiment?, name?, config} -> {run, jobId} */
export const POST = (req: Request) =>
  handle(req, async (database) => json(await launchRun(database, await getQueue(database), (await readJson(req)) as LaunchInput), 201));
