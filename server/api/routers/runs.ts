import { z } from "zod";
import { listArtifacts } from "@/server/services/artifacts";
import { listRunMetrics } from "@/server/services/series";
import { createRun, getRun, getRunParams, setRunStatus } from "@/server/services/runs";
import { createRun as createRunInput, setStatus } from "@/server/validation";
import { procedure, router } from "../trpc";

const byId = z.object({ id: z.number().int() });

export const runsRouter = router({
  get: procedure.input(byId).query(async ({ ctx, input }) => {
    const [run, params, metrics, artifacts] = await Promise.all([
      getRun(ctx.database, input.id),
      getRunParams(ctx.database, input.id),
      listRunMetrics(ctx.database, input.id),
      listArtifacts(ctx.database, input.id),
    ]);
    return { run, params, metrics, artifacts };
  }),
  create: procedure.input(createRunInput).mutation(({ ctx, input }) => createRun(ctx.database, input)),
  setStatus: procedure
    .input(setStatus.extend({ id: z.number().int() }))
    .mutation(({ ctx, input }) => setRunStatus(ctx.database, input.id, input.status, input.reason)),
});
