import { handle, json, type RouteContext } from "@/server/http";
import { payloadForClientKey } from "@/server/rollout/flags";

/**
 * GET /api/features/:clientKey: GrowthBook's SDK-connection path. An SDK pointed at Pretext as its
 * apiHost, with a deployment's client key, fetches that deployment's feature here. As with
 * GrowthBook, the client key is the credential (it reveals only which version a user gets).
 */
export const GET = (req: Request, ctx: RouteContext<{ clientKey: string }>) =>
  handle(
    req,
    async (database) => {
      const res = json(await payloadForClientKey(database, (await ctx.params).clientKey));
      res.headers.set("access-control-allow-origin", "*");
      res.headers.set("cache-control", "no-cache");
      return res;
    },
    { scope: "none" },
  );
