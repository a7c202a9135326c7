import { createSignInLink } from "@/server/auth/users";
import { handle, json, type RouteContext } from "@/server/http";

/** POST /api/v1/users/:name/link (admin) -> {link}: a new one-time sign-in path for the user */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database, principal) => json({ link: `/sign-in/${await createSignInLink(database, (await ctx.params).name, principal)}` }, 201), {
    scope: "admin",
  });
