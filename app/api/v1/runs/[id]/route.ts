import { handle, json, parseRunId, type RouteContext } from "@/server/http";
import { getRun, getRunParams } from "@/server/services/runs";
import { listRunMetrics } from "@/server/services/series";
import { listArtifacts } from "@/server/services/artifacts";

/** GET /api/v1/runs/:id -> the run with its params, metric summaries and artifacts */
export const GET = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseRunId((await ctx.params).id);
    const run = await getRun(database, id);
    const [params, metrics, artifacts] = await Promise.all([getRunParams(database, id), listRunMetrics(database, id), listArtifacts(database, id)]);
    return json({ ...run, params: Object.fromEntries(params.map((p) => [p.key, p.value])), metrics, artifacts });
  });
