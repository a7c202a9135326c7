import { handle, json, readInput, type RouteContext } from "@/server/http";
import { currentRamp, rampInput, startRamp } from "@/server/rollout/ramp";
import { serving } from "@/server/serving/serve";

/** GET /api/v1/deployments/:name/ramp -> {ramp, events, checks} of its latest ramp, or null */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) => handle(req, async (database) => json(await currentRamp(database, (await ctx.params).name)));

/**
 * POST /api/v1/deployments/:name/ramp (admin) {version, steps?: [{share, minMinutes = 60, minUsers = 100}] (default 5, 25, 50, 100 %),
 * guardrails?: {maxErrorRate = 0.01, maxP99Ms = null, metrics = []}, recipients?, sender?} -> the ramp (it now owns the deployment's flag)
 */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const ramp = await startRamp(database, (await ctx.params).name, await readInput(req, rampInput), principal.actor);
      serving(database).invalidate();
      return json(ramp, 201);
    },
    { scope: "admin" },
  );
