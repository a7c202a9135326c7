import { handle, json, parseParam, readInput, type RouteContext } from "@/server/http";
import { notFound } from "@/server/errors";
import { gateInput, getGate, setGate } from "@/server/registry/promotion";

/** GET /api/v1/gates/:encoderName -> the promotion gate of an encoder name */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => {
    const name = (await ctx.params).name;
    const gate = await getGate(database, name);
    if (!gate) throw notFound("gate of encoder", JSON.stringify(name));
    return json(gate);
  });

const gateBody = gateInput.omit({ encoderName: true });

/** PUT /api/v1/gates/:encoderName {rules: [{benchmark?, method, labelFraction, metric?, baseline?, margin?}]} (admin) -> the gate */
export const PUT = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const encoderName = parseParam(gateInput.shape.encoderName, (await ctx.params).name, "name");
      return json(await setGate(database, { ...(await readInput(req, gateBody)), encoderName }, principal.actor));
    },
    { scope: "admin" },
  );
