import { z } from "zod";
import { listArtifacts } from "@/server/services/artifacts";
import { listRunMetrics } from "@/server/services/series";
import { createRun, getRun, getRunParams, setRunStatus } from "@/server/services/runs";
import { createRun as createRunInput, idOf, setStatus } from "@/server/validation";
import { cancelRun, launchInput, launchRun } from "@/server/jobs/launch";
import { evaluationLaunchInput, launchEvaluation } from "@/server/jobs/launch-evaluation";
import { getQueue } from "@/server/jobs/queue";
import { launchSweep, sweepConfig, sweepSummary } from "@/server/jobs/sweeps";
import { listAttempts } from "@/server/services/attempts";
import { procedure, router } from "../trpc";

const byId = z.object({ id: idOf("a run") });

export const runsRouter = router({
  get: procedure.input(byId).query(async ({ ctx, input }) => {
    const [run, params, metrics, artifacts, attempts] = await Promise.all([
      getRun(ctx.database, input.id),
      getRunParams(ctx.database, input.id),
      listRunMetrics(ctx.database, input.id),
      listArtifacts(ctx.database, input.id),
      listAttempts(ctx.database, input.id),
    ]);
    // a cancelled run's worker may still be stopping: the page follows it until it has
    const workerActive = attempts.some((a) => a.outcome === "running");
    return { run, params, metrics, artifacts, workerActive };
  }),
  create: procedure.input(createRunInput).mutation(({ ctx, input }) => createRun(ctx.database, input)),
  /** Enqueues a job for a new run; a worker (the embedded one, by default) picks it up. */
  launch: procedure.input(launchInput).mutation(async ({ ctx, input }) => launchRun(ctx.database, await getQueue(ctx.database), input)),
  launchSweep: procedure.input(sweepConfig).mutation(async ({ ctx, input }) => launchSweep(ctx.database, await getQueue(ctx.database), input)),
  /** Enqueues an evaluation of the run's encoder (config {encoder: {runId, artifact}, suite}) as a new run. */
  launchEvaluation: procedure
    .input(evaluationLaunchInput)
    .mutation(async ({ ctx, input }) => launchEvaluation(ctx.database, await getQueue(ctx.database), input)),
  cancel: procedure.input(byId).mutation(async ({ ctx, input }) => cancelRun(ctx.database, await getQueue(ctx.database), input.id)),
  sweep: procedure.input(byId).query(({ ctx, input }) => sweepSummary(ctx.database, input.id)),
  attempts: procedure.input(byId).query(({ ctx, input }) => listAttempts(ctx.database, input.id)),
  setStatus: procedure
    .input(setStatus.extend({ id: idOf("a run") }))
    .mutation(({ ctx, input }) => setRunStatus(ctx.database, input.id, input.status, input.reason)),
});
