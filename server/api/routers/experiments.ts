import { z } from "zod";
import { getExperiment, listExperiments, listRuns } from "@/server/services/runs";
import { procedure, router } from "../trpc";

export const experimentsRouter = router({
  list: procedure.query(({ ctx }) => listExperiments(ctx.database)),
  get: procedure.input(z.object({ id: z.number().int() })).query(({ ctx, input }) => getExperiment(ctx.database, input.id)),
  runs: procedure
    .input(z.object({ id: z.number().int(), page: z.number().int().min(0).default(0), pageSize: z.number().int().min(1).max(500).default(50) }))
    .query(({ ctx, input }) => listRuns(ctx.database, input.id, input.page, input.pageSize)),
});
