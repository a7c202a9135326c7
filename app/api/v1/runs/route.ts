import { handle, json, readJson } from "@/server/http";
import { badInput, describeZodError } from "@/server/errors";
import { createRun } from "@/server/services/runs";
import { createRun as createRunSchema } from "@/server/validation";

/** POST /api/v1/runs {project?, experiment?, name?, config?, tags?, notes?, parentRunId?} -> the run */
export const POST = (req: Request) =>
  handle(async (database) => {
    const parsed = createRunSchema.safeParse(await readJson(req));
    if (!parsed.success) throw badInput(describeZodError(parsed.error));
    return json(await createRun(database, parsed.data), 201);
  });
