import { handle, json, parseRunId, type RouteContext } from "@/server/http";
import { sweepSummary } from "@/server/jobs/sweeps";

/** GET /api/v1/runs/:id/sweep -> trials with their params and metric (parallel coordinates), and the best */
export const GET = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => json(await sweepSummary(database, parseRunId((await ctx.params).id))));
