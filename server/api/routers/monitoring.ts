import { z } from "zod";
import { createRule, deleteRule, ruleId, ruleInput, ruleUpdate, updateRule } from "@/server/alerts/rules";
import { createMonitor, deleteMonitor, getMonitor, listMonitors, monitorId, monitorInput } from "@/server/drift/monitors";
import { monitorReport } from "@/server/drift/report";
import { queueCheck } from "@/server/drift/schedule";
import { getQueue } from "@/server/jobs/queue";
import { deploymentTraffic, getDeploymentByName, productionVersion } from "@/server/serving/deployments";
import { name } from "@/server/validation";
import { adminProcedure, procedure, router } from "../trpc";

export const monitoringRouter = router({
  /** A deployment, the version it serves, its traffic and its monitors. */
  deployment: procedure.input(z.object({ name })).query(async ({ ctx, input }) => {
    const deployment = await getDeploymentByName(ctx.database, input.name);
    const version = await productionVersion(ctx.database, deployment.encoderName);
    return {
      deployment,
      serving: version && { id: version.id, name: version.name, version: version.version },
      traffic: await deploymentTraffic(ctx.database, deployment.id),
      monitors: await listMonitors(ctx.database, deployment.name),
    };
  }),
  monitor: procedure.input(z.object({ id: monitorId })).query(({ ctx, input }) => monitorReport(ctx.database, input.id)),
  createMonitor: adminProcedure.input(monitorInput).mutation(({ ctx, input }) => createMonitor(ctx.database, input, ctx.principal.actor)),
  deleteMonitor: adminProcedure.input(z.object({ id: monitorId })).mutation(({ ctx, input }) => deleteMonitor(ctx.database, input.id, ctx.principal.actor)),
  /** Queues a check now (the worker runs it); null when one is waiting already. */
  checkNow: procedure.input(z.object({ id: monitorId })).mutation(async ({ ctx, input }) => {
    const { id } = await getMonitor(ctx.database, input.id);
    return { jobId: await queueCheck(await getQueue(ctx.database), id) };
  }),
  createRule: adminProcedure.input(ruleInput).mutation(({ ctx, input }) => createRule(ctx.database, input, ctx.principal.actor)),
  updateRule: adminProcedure.input(z.object({ id: ruleId, update: ruleUpdate })).mutation(({ ctx, input }) => updateRule(ctx.database, input.id, input.update, ctx.principal.actor)),
  deleteRule: adminProcedure.input(z.object({ id: ruleId })).mutation(({ ctx, input }) => deleteRule(ctx.database, input.id, ctx.principal.actor)),
});
