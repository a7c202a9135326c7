import { clearedCookies, sessionCookies } from "@/server/auth/cookies";
import { redeemSignInLink } from "@/server/auth/users";
import { getDatabase } from "@/server/db";
import { PretextError } from "@/server/errors";
import type { RouteContext } from "@/server/http";

/** GET /sign-in/:secret — a one-time sign-in link: a new session, then the account page (to set a password). */
export async function GET(req: Request, ctx: RouteContext<{ secret: string }>) {
  const redirect = (to: string, cookies: string[]) => {
    const headers = new Headers({ location: new URL(to, req.url).pathname + new URL(to, req.url).search, "cache-control": "no-store", "referrer-policy": "no-referrer" });
    for (const c of cookies) headers.append("set-cookie", c);
    return new Response(null, { status: 303, headers });
  };
  try {
    const session = await redeemSignInLink(await getDatabase(), (await ctx.params).secret);
    return redirect("/account?welcome=1", sessionCookies(req, session));
  } catch (err) {
    if (!(err instanceof PretextError)) throw err;
    return redirect(`/sign-in?error=${encodeURIComponent(err.message)}`, clearedCookies(req));
  }
}
