import { z } from "zod";
import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { rampAction, rampActions, rampId } from "@/server/rollout/ramp";
import { serving } from "@/server/serving/serve";

const action = z.enum(rampActions, { error: `must be one of ${rampActions.join(", ")}` });

/** POST /api/v1/ramps/:id/{pause|resume|promote|rollback} (admin) -> the ramp */
export const POST = (req: Request, ctx: RouteContext<{ id: string; action: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const params = await ctx.params;
      const ramp = await rampAction(database, parseParam(rampId, params.id), parseParam(action, params.action, "action"), principal.actor);
      serving(database).invalidate();
      return json(ramp);
    },
    { scope: "admin" },
  );
