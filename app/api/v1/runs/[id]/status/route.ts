import { handle, json, parseRunId, readJson, type RouteContext } from "@/server/http";
import { badInput, describeZodError } from "@/server/errors";
import { setRunStatus } from "@/server/services/runs";
import { setStatus } from "@/server/validation";

/** POST /api/v1/runs/:id/status {status: running|finished|failed|cancelled|queued, reason?} */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseRunId((await ctx.params).id);
    const parsed = setStatus.safeParse(await readJson(req));
    if (!parsed.success) throw badInput(describeZodError(parsed.error));
    return json(await setRunStatus(database, id, parsed.data.status, parsed.data.reason));
  });
