import { z } from "zod";
import { handle, json, parseRunId, readJson, type RouteContext } from "@/server/http";
import { badInput, describeZodError } from "@/server/errors";
import { setRunTags } from "@/server/services/runs";
import { tags } from "@/server/validation";

const body = z.object({ tags });

/** POST /api/v1/runs/:id/tags {tags: {k: v}} merges tags into the run ("" removes one; at most 1,000 per run) */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(async (database) => {
    const id = parseRunId((await ctx.params).id);
    const parsed = body.safeParse(await readJson(req));
    if (!parsed.success) throw badInput(describeZodError(parsed.error));
    return json(await setRunTags(database, id, parsed.data.tags));
  });
