import { z } from "zod";
import { experimentKey, experimentResults, liftOverTime } from "@/server/rollout/results";
import { listExperiments } from "@/server/rollout/experiments";
import { flagInput, flagPayload, getFlag, setFlag } from "@/server/rollout/flags";
import { listOutcomeMetrics } from "@/server/rollout/outcomes";
import { setShadow, shadowInput, shadowSummary } from "@/server/rollout/shadow";
import { currentRamp, rampAction, rampActions, rampId, rampInput, startRamp } from "@/server/rollout/ramp";
import { listEncoders } from "@/server/registry/encoders";
import { getDeploymentByName } from "@/server/serving/deployments";
import { serving } from "@/server/serving/serve";
import { metricKey, name } from "@/server/validation";
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
      ramp: await currentRamp(ctx.database, deployment.name),
      versions: (await listEncoders(ctx.database, { name: deployment.encoderName })).map((v) => ({ id: v.id, version: v.version, stage: v.stage })),
    };
  }),
  results: procedure.input(z.object({ name, key: experimentKey })).query(({ ctx, input }) => experimentResults(ctx.database, input.name, input.key)),
  /** cumulative lift of one metric over the experiment's life, with its confidence band */
  liftOverTime: procedure.input(z.object({ name, key: experimentKey, metric: metricKey })).query(({ ctx, input }) => liftOverTime(ctx.database, input.name, input.key, input.metric)),
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
  startRamp: adminProcedure.input(rampInput.extend({ name })).mutation(async ({ ctx, input: { name: deployment, ...ramp } }) => {
    const row = await startRamp(ctx.database, deployment, ramp, ctx.principal.actor);
    serving(ctx.database).invalidate();
    return row;
  }),
  rampAction: adminProcedure.input(z.object({ id: rampId, action: z.enum(rampActions) })).mutation(async ({ ctx, input }) => {
    const row = await rampAction(ctx.database, input.id, input.action, ctx.principal.actor);
    serving(ctx.database).invalidate();
    return row;
  }),
});
