import { handle, json, parseParam, readInput, type RouteContext } from "@/server/http";
import { changeStage, stageChangeInput } from "@/server/registry/promotion";
import { serving } from "@/server/serving/serve";
import { encoderId } from "@/server/validation";

/** POST /api/v1/encoders/:id/stage {stage, reason} (admin) -> the version; 409 with the failing gate checks when production is refused */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const id = parseParam(encoderId, (await ctx.params).id);
      const updated = await changeStage(database, id, await readInput(req, stageChangeInput), principal.actor);
      serving(database).invalidate();
      return json(updated);
    },
    { scope: "admin" },
  );
