import { passwordInput, setPassword } from "@/server/auth/users";
import { PretextError } from "@/server/errors";
import { handle, readInput } from "@/server/http";

/** POST /api/v1/account/password {password} -> 204: the signed-in user sets their own password (any role) */
export const POST = (req: Request) =>
  handle(
    req,
    async (database, principal) => {
      if (principal.userId === undefined) throw new PretextError(403, "password: only a signed-in user has a password (tokens have none)");
      await setPassword(database, principal.userId, (await readInput(req, passwordInput)).password, principal);
      return new Response(null, { status: 204 });
    },
    { scope: "read" },
  );
