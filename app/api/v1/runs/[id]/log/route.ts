import { handle, json, parseRunId, readJson, type RouteContext } from "@/server/http";
import { logBatch, parseLogBatch } from "@/server/services/metrics";
import type { LogBatch } from "@/server/validation";

/** POST /api/v1/runs/:id/log {params?: {k: v}, metrics?: [{key, step, value, timestamp?}]} (<= 10,000 points) */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseRunId((await ctx.params).id);
    const body = await readJson(req);
    parseLogBatch(body); // reject before touching the database
    return json(await logBatch(database, id, body as LogBatch));
  });
