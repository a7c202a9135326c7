import { z } from "zod";
import { handleRun, json, readInput, type RouteContext } from "@/server/http";
import { setRunTags } from "@/server/services/runs";
import { tags } from "@/server/validation";

const body = z.object({ tags });

/** POST /api/v1/runs/:id/tags {tags: {k: v}} merges tags into the run ("" removes one; at most 1,000 per run) */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => json(await setRunTags(database, id, (await readInput(req, body)).tags)));
