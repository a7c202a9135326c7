import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { experimentKey, experimentResults } from "@/server/rollout/results";

/**
 * GET /api/v1/deployments/:name/experiments/:key -> {variations: [{variationId, version, users, expectedShare}],
 * srm: {pValue, health}, metrics: [{key, kind, goal, guardrail, variations: [{users, mean, comparison?: {effect, ci, pValue,
 * chanceToWin, risk, sequential: {ci, pValue}}}]}]} (each variation against variation 0, the control)
 */
export const GET = (req: Request, ctx: RouteContext<{ name: string; key: string }>) =>
  handle(req, async (database) => {
    const { name, key } = await ctx.params;
    return json(await experimentResults(database, name, parseParam(experimentKey, key, "key")));
  });
