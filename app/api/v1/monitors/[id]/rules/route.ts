import { handle, json, parseParam, readInput, type RouteContext } from "@/server/http";
import { createRule, ruleInput } from "@/server/alerts/rules";
import { monitorId } from "@/server/drift/monitors";

const ruleBody = ruleInput.omit({ monitorId: true });

/**
 * POST /api/v1/monitors/:id/rules (admin) {name, figure, direction: "above"|"below", threshold, consecutive?, cooldownMinutes?,
 * recipients: [email], sender?, enabled?} -> the rule
 */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const id = parseParam(monitorId, (await ctx.params).id);
      return json(await createRule(database, { ...(await readInput(req, ruleBody)), monitorId: id }, principal.actor), 201);
    },
    { scope: "admin" },
  );
