import { handle, json, parseParam } from "@/server/http";
import { compareVersions } from "@/server/registry/versions";
import { encoderId } from "@/server/validation";

/** GET /api/v1/encoders/compare?a=ID&b=ID -> both versions' benchmark results with b − a and its standard error over seeds */
export const GET = (req: Request) =>
  handle(req, async (database) => {
    const q = new URL(req.url).searchParams;
    return json(await compareVersions(database, parseParam(encoderId, q.get("a") ?? "", "a"), parseParam(encoderId, q.get("b") ?? "", "b")));
  });
