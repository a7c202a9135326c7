import { handle, json, readInput, type RouteContext } from "@/server/http";
import { assignInput, previewAssignments } from "@/server/rollout/flags";

/** POST /api/v1/deployments/:name/assign {users: [id, ...] (<= 10,000), attributes?} -> {assignments: [{user, version, experiment}]}: nothing served or recorded */
export const POST = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => json({ assignments: await previewAssignments(database, (await ctx.params).name, await readInput(req, assignInput)) }), { scope: "read" });
