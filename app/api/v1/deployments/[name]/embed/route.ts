import { handle, json, readJson, type RouteContext } from "@/server/http";
import { serving } from "@/server/serving/serve";
import { USER_HEADER } from "@/server/rollout/assign";

/**
 * POST /api/v1/deployments/:name/embed {inputs: [[...numbers], "base64 PNG/JPEG", ...], attributes?: {...}}
 * (header x-pretext-user: the user id the deployment's flag assigns a version by)
 * -> {deployment, encoder: {id, name, version}, runtime, dim, embeddings, predictions?, experiment?: {key, variationId}}
 * Inference changes nothing, so a read token may call it; it counts against the caller's inference rate.
 */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => json(await serving(database).embed((await ctx.params).name, await readJson(req), req.headers.get(USER_HEADER))), {
    scope: "read",
    rate: "inference",
  });
