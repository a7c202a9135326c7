import { cookie, SESSION_COOKIE } from "@/server/auth/authenticate";
import { clearedCookies } from "@/server/auth/cookies";
import { endSession } from "@/server/auth/users";
import { handle } from "@/server/http";

/** POST /api/v1/auth/sign-out -> 204; the session ends on the server, its cookies are cleared */
export const POST = (req: Request) =>
  handle(
    req,
    async (database) => {
      const session = cookie(req.headers, SESSION_COOKIE);
      if (session) await endSession(database, session);
      const headers = new Headers();
      for (const c of clearedCookies(req)) headers.append("set-cookie", c);
      return new Response(null, { status: 204, headers });
    },
    { scope: "none" },
  );
