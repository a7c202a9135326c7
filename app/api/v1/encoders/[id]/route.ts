import { handle, json, type RouteContext } from "@/server/http";
import { badInput } from "@/server/errors";
import { getEncoder } from "@/server/services/encoders";

/** GET /api/v1/encoders/:id -> one encoder version with its lineage (runId, artifactId, datasetId) */
export const GET = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = Number((await ctx.params).id);
    if (!Number.isInteger(id) || id <= 0) throw badInput("id: must be an encoder id (a positive integer)");
    return json(await getEncoder(database, id));
  });
