import { requireProjectNamed } from "@/server/auth/project-access";
import { handle, json, readInput } from "@/server/http";
import { createRun } from "@/server/services/runs";
import { createRun as createRunSchema } from "@/server/validation";

/** POST /api/v1/runs {project?, experiment?, name?, config?, tags?, notes?, parentRunId?} -> the run */
export const POST = (req: Request) =>
  handle(
    req,
    async (database, principal) => {
      const input = await readInput(req, createRunSchema);
      await requireProjectNamed(database, principal, input.project, "POST /api/v1/runs");
      return json(await createRun(database, input), 201);
    },
    { projectScoped: true, rate: "ingest" },
  );
