import { revokeToken } from "@/server/auth/tokens";
import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { idOf } from "@/server/validation";

const tokenId = idOf("a token", true);

/** DELETE /api/v1/tokens/:id (admin) -> the revoked token; it stops working at once */
export const DELETE = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(req, async (database, principal) => json(await revokeToken(database, parseParam(tokenId, (await ctx.params).id), principal)), { scope: "admin" });
