import { badInput } from "@/server/errors";
import { handle, json, readInput, type RouteContext } from "@/server/http";
import { setShadow, shadowInput, shadowSummary } from "@/server/rollout/shadow";
import { serving } from "@/server/serving/serve";

/**
 * GET /api/v1/deployments/:name/shadow[?hours=24] -> {config: {version, share} | null, mirrored, failed, samples, cosineMean,
 * cosineMin, neighbourOverlap, predictionAgreement, p50Ms, p99Ms, primaryP50Ms, primaryP99Ms, series: per minute}
 */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => {
    const hours = Number(new URL(req.url).searchParams.get("hours") ?? 24);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 3650) throw badInput("hours: must be a number of hours > 0 and at most ten years");
    return json(await shadowSummary(database, (await ctx.params).name, hours));
  });

/** PUT /api/v1/deployments/:name/shadow (admin) {version, share? = 1}: the candidate gets a copy of `share` of requests */
export const PUT = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const config = await setShadow(database, (await ctx.params).name, await readInput(req, shadowInput), principal.actor);
      serving(database).invalidate();
      return json(config);
    },
    { scope: "admin" },
  );

/** DELETE /api/v1/deployments/:name/shadow (admin): stops mirroring */
export const DELETE = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      await setShadow(database, (await ctx.params).name, null, principal.actor);
      serving(database).invalidate();
      return new Response(null, { status: 204 });
    },
    { scope: "admin" },
  );
