import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { encoderLineage } from "@/server/registry/versions";
import { encoderId } from "@/server/validation";

/** GET /api/v1/encoders/:id -> {encoder, run, weights, onnx, head, dataset, evaluations, curve, deployments, gate, history} */
export const GET = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(req, async (database) => json(await encoderLineage(database, parseParam(encoderId, (await ctx.params).id))));
