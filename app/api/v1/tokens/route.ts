import { createToken, listTokens, tokenInput } from "@/server/auth/tokens";
import { handle, json, readInput } from "@/server/http";

/** GET /api/v1/tokens (admin) -> tokens without their secrets */
export const GET = (req: Request) => handle(req, async (database) => json(await listTokens(database)), { scope: "admin" });

/** POST /api/v1/tokens {name, scopes: [read|write|admin], project?, expiresInDays?} (admin) -> {token, info}: the token is shown this once */
export const POST = (req: Request) =>
  handle(req, async (database, principal) => json(await createToken(database, await readInput(req, tokenInput), principal), 201), { scope: "admin" });
