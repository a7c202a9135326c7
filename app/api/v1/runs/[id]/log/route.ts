import { handleRun, json, readJson, type RouteContext } from "@/server/http";
import { logBatch } from "@/server/services/metrics";

/** POST /api/v1/runs/:id/log {params?: {k: v}, metrics?: [{key, step, value, timestamp?}]} (<= 10,000 points) */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => json(await logBatch(database, id, await readJson(req))), { rate: "ingest" });
