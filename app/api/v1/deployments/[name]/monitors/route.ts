import { handle, json, readJson, type RouteContext } from "@/server/http";
import { createMonitor, listMonitors, monitorInput } from "@/server/drift/monitors";

/** GET /api/v1/deployments/:name/monitors -> the deployment's drift monitors, each with its latest window */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) => handle(req, async (database) => json(await listMonitors(database, (await ctx.params).name)));

/**
 * POST /api/v1/deployments/:name/monitors (admin) {name, target: "embedding"|"input", tests?: ["mmd","ks","psi","classifier"],
 * reference: {kind: "dataset", data, split?, size?} | {kind: "traffic", from, to}, window: {kind: "count", size} | {kind: "time", minutes},
 * minSamples?, schedule?: cron | null} -> the monitor
 */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const body = await readJson(req);
      const deployment = (await ctx.params).name;
      // the path names the deployment; a body that is not an object is refused by the schema as it is
      const input = monitorInput.parse(body !== null && typeof body === "object" && !Array.isArray(body) ? { ...body, deployment } : body);
      return json(await createMonitor(database, input, principal.actor), 201);
    },
    { scope: "admin" },
  );
