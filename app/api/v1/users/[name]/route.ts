import { updateUser, userUpdate } from "@/server/auth/users";
import { handle, json, readInput, type RouteContext } from "@/server/http";

const change = userUpdate.omit({ name: true });

/** PATCH /api/v1/users/:name {role?, disabled?} (admin) -> the user; disabling ends their sessions */
export const PATCH = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => json(await updateUser(database, { ...(await readInput(req, change)), name: (await ctx.params).name }, principal)),
    { scope: "admin" },
  );
