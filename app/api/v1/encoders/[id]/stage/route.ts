import { handle, json, parseId, readJson, type RouteContext } from "@/server/http";
import { changeStage, type StageChangeInput } from "@/server/registry/promotion";
import { serving } from "@/server/serving/serve";
import { encoderId } from "@/server/validation";

/** POST /api/v1/encoders/:id/stage {stage, reason, actor?} -> the version; 409 with the failing gate checks when production is refused */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseId(encoderId, (await ctx.params).id);
    const updated = await changeStage(database, id, (await readJson(req)) as StageChangeInput);
    serving(database).invalidate();
    return json(updated);
  });
