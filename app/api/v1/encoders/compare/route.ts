import { handle, json, parseId } from "@/server/http";
import { compareVersions } from "@/server/registry/versions";
import { encoderId } from "@/server/validation";

/** GET /api/v1/encoders/compare?a=ID&b=ID -> both versions' benchmark results with b − a and its standard error over seeds */
export const GET = (req: Request) =>
  handle(async (database) => {
    const q = new URL(req.url).searchParams;
    return json(await compareVersions(database, parseId(encoderId, q.get("a") ?? "", "a"), parseId(encoderId, q.get("b") ?? "", "b")));
  });
