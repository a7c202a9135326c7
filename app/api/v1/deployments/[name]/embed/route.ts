import { handle, json, readJson, type RouteContext } from "@/server/http";
import { serving } from "@/server/serving/serve";

/**
 * POST /api/v1/deployments/:name/embed {inputs: [[...numbers], "base64 PNG/JPEG", ...]}
 * -> {deployment, encoder: {id, name, version}, runtime, dim, embeddings, predictions?}
 */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(async (database) => json(await serving(database).embed(decodeURIComponent((await ctx.params).name), await readJson(req))));
