import { handleRun, json, readInput, type RouteContext } from "@/server/http";
import { setRunStatus } from "@/server/services/runs";
import { setStatus } from "@/server/validation";

/** POST /api/v1/runs/:id/status {status: running|finished|failed|cancelled|queued, reason?} */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => {
    const { status, reason } = await readInput(req, setStatus);
    return json(await setRunStatus(database, id, status, reason));
  });
