import { handle, json, readInput, type RouteContext } from "@/server/http";
import { flagInput, flagPayload, getFlag, setFlag } from "@/server/rollout/flags";
import { getDeploymentByName } from "@/server/serving/deployments";
import { serving } from "@/server/serving/serve";

/** GET /api/v1/deployments/:name/flag -> {clientKey, rules, payload} (payload: what GrowthBook SDKs get at /api/features/:clientKey) */
export const GET = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(req, async (database) => {
    const deployment = await getDeploymentByName(database, (await ctx.params).name);
    const flag = await getFlag(database, deployment);
    return json({ clientKey: flag?.clientKey ?? null, rules: flag?.rules ?? [], payload: await flagPayload(database, deployment, flag) });
  });

/**
 * PUT /api/v1/deployments/:name/flag (admin) {rules: [{kind: "force", version, coverage?, hashAttribute?, seed?} |
 * {kind: "experiment", key, versions, weights?, coverage?, hashAttribute?, seed?}]} -> {clientKey, rules, ...}
 * The first rule that matches a user decides; users no rule takes get the production version.
 */
export const PUT = (req: Request, ctx: RouteContext<{ name: string }>) =>
  handle(
    req,
    async (database, principal) => {
      const flag = await setFlag(database, (await ctx.params).name, await readInput(req, flagInput), principal.actor);
      serving(database).invalidate();
      return json(flag);
    },
    { scope: "admin" },
  );
