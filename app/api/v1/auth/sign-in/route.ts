import { sessionCookies } from "@/server/auth/cookies";
import { signInInput, signInWithPassword } from "@/server/auth/users";
import { handle, readInput } from "@/server/http";

/** POST /api/v1/auth/sign-in {name, password} -> 204 with a new session cookie (whatever session cookie came in is replaced) */
export const POST = (req: Request) =>
  handle(
    req,
    async (database) => {
      const session = await signInWithPassword(database, await readInput(req, signInInput));
      const headers = new Headers();
      for (const c of sessionCookies(req, session)) headers.append("set-cookie", c);
      return new Response(null, { status: 204, headers });
    },
    { scope: "none" },
  );
