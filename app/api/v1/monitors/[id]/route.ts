import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { deleteMonitor, monitorId } from "@/server/drift/monitors";
import { monitorReport } from "@/server/drift/report";

/** GET /api/v1/monitors/:id -> {monitor, figures: [{name, describe, verdict?}], results: windows in order, alerts: {rules, events}} */
export const GET = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(req, async (database) => json(await monitorReport(database, parseParam(monitorId, (await ctx.params).id))));

/** DELETE /api/v1/monitors/:id (admin): the monitor, its windows and its rules */
export const DELETE = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => {
      await deleteMonitor(database, parseParam(monitorId, (await ctx.params).id), principal.actor);
      return new Response(null, { status: 204 });
    },
    { scope: "admin" },
  );
