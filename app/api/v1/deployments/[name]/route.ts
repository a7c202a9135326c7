import { handle, json, type RouteContext } from "@/server/http";
import { badInput } from "@/server/errors";
import { deploymentTraffic, getDeploymentByName, productionVersion } from "@/server/serving/deployments";
import { serving } from "@/server/serving/serve";

/**
 * GET /api/v1/deployments/:name[?hours=24] -> {deployment, serving, traffic: {requests, failed, samples, p50Ms, p99Ms},
 * process: {loadedVersions, inferenceCalls, samples, meanBatch, droppedLogRows}} (process: this server process only)
 */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => {
    const hours = Number(new URL(req.url).searchParams.get("hours") ?? 24);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 3650) throw badInput("hours: must be a number of hours > 0 and at most ten years");
    const deployment = await getDeploymentByName(database, (await ctx.params).name);
    const version = await productionVersion(database, deployment.encoderName);
    return json({
      deployment,
      serving: version && { id: version.id, name: version.name, version: version.version },
      traffic: await deploymentTraffic(database, deployment.id, hours),
      process: serving(database).processStats(),
    });
  });
