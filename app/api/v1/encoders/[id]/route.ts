import { handle, json, type RouteContext } from "@/server/http";
import { badInput, describeZodError } from "@/server/errors";
import { getEncoder } from "@/server/services/encoders";
import { encoderId } from "@/server/validation";

/** GET /api/v1/encoders/:id -> one encoder version with its lineage (runId, artifactId, datasetId) */
export const GET = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = encoderId.safeParse((await ctx.params).id);
    if (!id.success) throw badInput(`id: ${describeZodError(id.error).replace(/^\(root\): /, "")}`);
    return json(await getEncoder(database, id.data));
  });
