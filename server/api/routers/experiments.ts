import { z } from "zod";
import { getExperiment, listExperiments, listRuns } from "@/server/services/runs";
import { defaultColumns } from "@/server/services/runs-table-columns";
import { idOf, runsQuery } from "@/server/validation";
import { procedure, router } from "../trpc";

export const experimentsRouter = router({
  list: procedure.query(({ ctx }) => listExperiments(ctx.database)),
  get: procedure.input(z.object({ id: idOf("an experiment") })).query(({ ctx, input }) => getExperiment(ctx.database, input.id)),
  /** One page of runs, filtered by a search expression and sorted on the server; `group` nests sweep trials under their parent. */
  runs: procedure
    .input(runsQuery.extend({ id: idOf("an experiment"), group: z.boolean().default(false) }))
    .query(({ ctx, input }) => listRuns(ctx.database, input.id, input)),
  /** The runs table's columns when the URL names none: params that differ, common metrics, evaluation results. */
  defaultColumns: procedure.input(z.object({ id: idOf("an experiment") })).query(({ ctx, input }) => defaultColumns(ctx.database, input.id)),
});
