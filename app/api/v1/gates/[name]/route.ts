import { handle, json, readJson, type RouteContext } from "@/server/http";
import { notFound } from "@/server/errors";
import { getGate, setGate, type GateInput } from "@/server/registry/promotion";

/** GET /api/v1/gates/:encoderName -> the promotion gate of an encoder name */
export const GET = (_req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(async (database) => {
    const name = decodeURIComponent((await ctx.params).name);
    const gate = await getGate(database, name);
    if (!gate) throw notFound("gate of encoder", JSON.stringify(name));
    return json(gate);
  });

/** PUT /api/v1/gates/:encoderName {rules: [{benchmark?, method, labelFraction, metric?, baseline?, margin?}], actor?} -> the gate */
export const PUT = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(async (database) => {
    const body = (await readJson(req)) as Omit<GateInput, "encoderName">;
    return json(await setGate(database, { ...body, encoderName: decodeURIComponent((await ctx.params).name) }));
  });
