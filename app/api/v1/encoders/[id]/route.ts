import { handle, json, parseId, type RouteContext } from "@/server/http";
import { encoderLineage } from "@/server/registry/versions";
import { encoderId } from "@/server/validation";

/** GET /api/v1/encoders/:id -> {encoder, run, weights, onnx, head, dataset, evaluations, curve, deployments, gate, history} */
export const GET = (_req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => json(await encoderLineage(database, parseId(encoderId, (await ctx.params).id))));
