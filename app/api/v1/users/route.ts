import { createUser, listUsers, userInput } from "@/server/auth/users";
import { handle, json, readInput } from "@/server/http";

/** GET /api/v1/users (admin) -> users with their roles */
export const GET = (req: Request) => handle(req, async (database) => json(await listUsers(database)), { scope: "admin" });

/** POST /api/v1/users {name, role: viewer|editor|admin} (admin) -> {user, link}: the user's one-time sign-in path */
export const POST = (req: Request) =>
  handle(
    req,
    async (database, principal) => {
      const { user, link } = await createUser(database, await readInput(req, userInput), principal);
      return json({ user, link: `/sign-in/${link}` }, 201);
    },
    { scope: "admin" },
  );
