import { handleRun, json, type RouteContext } from "@/server/http";
import { sweepSummary } from "@/server/jobs/sweeps";

/** GET /api/v1/runs/:id/sweep -> trials with their params and metric (parallel coordinates), and the best */
export const GET = (req: Request, ctx: RouteContext<{ id: string }>) => handleRun(req, ctx, async (database, id) => json(await sweepSummary(database, id)));
