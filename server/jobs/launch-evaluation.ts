/** Launching the evaluation of a run's encoder: an "evaluate" job through the one launch path. */
import type PgBoss from "pg-boss";
import { z } from "zod";
import type { Database } from "@/server/db";
import { badInput, describeZodError, PretextError } from "@/server/errors";
import { listArtifacts } from "@/server/services/artifacts";
import { getExperiment, getRun } from "@/server/services/runs";
import { idOf } from "@/server/validation";
import { launchRun } from "./launch";

export const evaluationLaunchInput = z.object({
  runId: idOf("a run"),
  /** suite fields (schema: workers/engine/eval/suite.ts, validated by the worker); dataset defaults to the run's */
  suite: z.record(z.string(), z.unknown()).optional(),
});
export type EvaluationLaunchInput = z.input<typeof evaluationLaunchInput>;

export async function launchEvaluation(database: Database, queue: PgBoss, input: EvaluationLaunchInput) {
  const parsed = evaluationLaunchInput.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const { runId, suite = {} } = parsed.data;
  const source = await getRun(database, runId);
  const encoder = (await listArtifacts(database, runId)).find((a) => a.kind === "encoder");
  if (!encoder) throw new PretextError(409, `run ${runId} has no encoder artifact to evaluate (it is ${source.status})`);
  const dataset = suite.dataset ?? source.config.dataset;
  if (dataset === undefined) throw badInput(`suite.dataset: required, run ${runId}'s config names no dataset`);
  const { project } = await getExperiment(database, source.experimentId);
  return launchRun(database, queue, {
    kind: "evaluate",
    project,
    experiment: "evaluation",
    name: `eval-${source.name}`,
    // the worker's evaluate job config (workers/worker/job-configs.ts): the run's encoder file and the suite
    config: { encoder: { runId, artifact: encoder.name }, suite: { ...suite, dataset } },
    tags: { encoder_run: String(runId) },
  });
}
