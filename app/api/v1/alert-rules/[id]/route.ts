import { handle, json, parseParam, readInput, type RouteContext } from "@/server/http";
import { deleteRule, ruleId, ruleUpdate, updateRule } from "@/server/alerts/rules";

/** PATCH /api/v1/alert-rules/:id (admin) {any rule field} -> the rule */
export const PATCH = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => json(await updateRule(database, parseParam(ruleId, (await ctx.params).id), await readInput(req, ruleUpdate), principal.actor)),
    { scope: "admin" },
  );

/** DELETE /api/v1/alert-rules/:id (admin) */
export const DELETE = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => {
      await deleteRule(database, parseParam(ruleId, (await ctx.params).id), principal.actor);
      return new Response(null, { status: 204 });
    },
    { scope: "admin" },
  );
