import { z } from "zod";
import { experimentKey, experimentResults } from "@/server/rollout/results";
import { listExperiments } from "@/server/rollout/experiments";
import { flagInput, flagPayload, getFlag, setFlag } from "@/server/rollout/flags";
import { listOutcomeMetrics } from "@/server/rollout/outcomes";
import { setShadow, shadowInput, shadowSummary } from "@/server/rollout/shadow";
import { encoderVersions } from "@/server/registry/versions";
import { getDeploymentByName } from "@/server/serving/deployments";
import { serving } from "@/server/serving/serve";
import { name } from "@/server/validation";
import { adminProcedure, procedure, router } from "../trpc";

export const rolloutRouter = router({
  /** A deployment's rollout: its flag (rules, client key, payload), shadow candidate, experiments, metrics and versions. */
  overview: procedure.input(z.object({ name })).query(async ({ ctx, input }) => {
    const deployment = await getDeploymentByName(ctx.database, input.name);
    const flag = await getFlag(ctx.database, deployment);
    return {
      deployment,
      flag: { clientKey: flag?.clientKey ?? null, rules: flag?.rules ?? [], updatedBy: flag?.updatedBy ?? null, updatedAt: flag?.updatedAt ?? null, payload: await flagPayload(ctx.database, deployment, flag) },
      shadow: await shadowSummary(ctx.database, deployment.name),
      experiments: await listExperiments(ctx.database, deployment.name),
      metrics: await listOutcomeMetrics(ctx.database),
      versions: (await encoderVersions(ctx.database, deployment.encoderName)).versions.map((v) => ({ id: v.id, version: v.version, stage: v.stage })),
    };
  }),
  results: procedure.input(z.object({ name, key: experimentKey })).query(({ ctx, input }) => experimentResults(ctx.database, input.name, input.key)),
  setFlag: adminProcedure.input(flagInput.extend({ name })).mutation(async ({ ctx, input: { name: deployment, ...flag } }) => {
    const row = await setFlag(ctx.database, deployment, flag, ctx.principal.actor);
    serving(ctx.database).invalidate();
    return row;
  }),
  setShadow: adminProcedure.input(z.object({ name, shadow: shadowInput.nullable() })).mutation(async ({ ctx, input }) => {
    const row = await setShadow(ctx.database, input.name, input.shadow, ctx.principal.actor);
    serving(ctx.database).invalidate();
    return row;
  }),
});
