import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { getMonitor, monitorId } from "@/server/drift/monitors";
import { queueCheck } from "@/server/drift/schedule";
import { getQueue } from "@/server/jobs/queue";

/** POST /api/v1/monitors/:id/check -> 202 {jobId} (null: a check of this monitor waits already); a worker runs it */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database) => {
      const { id } = await getMonitor(database, parseParam(monitorId, (await ctx.params).id));
      return json({ jobId: await queueCheck(await getQueue(database), id) }, 202);
    },
    { scope: "write" },
  );
