import { handleRun, json, type RouteContext } from "@/server/http";
import { cancelRun } from "@/server/jobs/launch";
import { getQueue } from "@/server/jobs/queue";

/** POST /api/v1/runs/:id/cancel: the worker stops within seconds; the job is never retried */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => json(await cancelRun(database, await getQueue(database), id)));
