import { requireExperimentProject } from "@/server/auth/project-access";
import { badInput, describeZodError } from "@/server/errors";
import { handle, json, parseParam, type RouteContext } from "@/server/http";
import { listRuns } from "@/server/services/runs";
import { experimentId, runsQuery } from "@/server/validation";

/**
 * GET /api/v1/experiments/:id/runs?filter=&sort=&dir=&page=&pageSize= -> one page of runs.
 * A bad filter is a 400 naming the field, the position and what was expected there.
 */
export const GET = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const id = parseParam(experimentId, (await ctx.params).id);
      await requireExperimentProject(database, principal, id, `GET /api/v1/experiments/${id}/runs`);
      const search = runsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
      if (!search.success) throw badInput(describeZodError(search.error));
      return json(await listRuns(database, id, search.data));
    },
    { projectScoped: true },
  );
