import { handle, json, parseRunId, type RouteContext } from "@/server/http";
import { cancelRun } from "@/server/jobs/launch";
import { getQueue } from "@/server/jobs/queue";

/** POST /api/v1/runs/:id/cancel: the worker stops within seconds; the job is never retried */
export const POST = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseRunId((await ctx.params).id);
    return json(await cancelRun(database, await getQueue(database), id));
  });
