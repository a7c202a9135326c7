import { z } from "zod";
import { notFound } from "@/server/errors";
import { encoderRegistration, listEncoders, registerEncoder } from "@/server/registry/encoders";
import { changeStage, gateInput, setGate, stageChangeInput } from "@/server/registry/promotion";
import { compareVersions, encoderLineage, encoderVersions, listEncoderNames } from "@/server/registry/versions";
import { createDeployment, deploymentInput, listDeployments } from "@/server/serving/deployments";
import { serving } from "@/server/serving/serve";
import { encoderId, name } from "@/server/validation";
import { adminProcedure, procedure, router } from "../trpc";

export const registryRouter = router({
  /** Every encoder name: how many versions, which serves production, which are in staging. */
  names: procedure.query(({ ctx }) => listEncoderNames(ctx.database)),
  /** One name's versions (newest first) with their curves, its gate and its deployments. */
  versions: procedure.input(z.object({ name })).query(({ ctx, input }) => encoderVersions(ctx.database, input.name)),
  /** One version's lineage, gate checks and stage history. */
  version: procedure.input(z.object({ id: encoderId })).query(({ ctx, input }) => encoderLineage(ctx.database, input.id)),
  /** A version's id from its name and number: pages address versions as /encoders/<name>/v/<version>. */
  versionId: procedure.input(z.object({ name, version: z.number().int().positive() })).query(async ({ ctx, input }) => {
    const found = (await listEncoders(ctx.database, { name: input.name })).find((e) => e.version === input.version);
    if (!found) throw notFound("encoder", `${JSON.stringify(input.name)} v${input.version}`);
    return found.id;
  }),
  compare: procedure.input(z.object({ a: encoderId, b: encoderId })).query(({ ctx, input }) => compareVersions(ctx.database, input.a, input.b)),
  register: procedure.input(encoderRegistration).mutation(({ ctx, input }) => registerEncoder(ctx.database, input, ctx.principal.actor)),
  changeStage: adminProcedure.input(stageChangeInput.extend({ id: encoderId })).mutation(async ({ ctx, input: { id, ...change } }) => {
    const updated = await changeStage(ctx.database, id, change, ctx.principal.actor);
    serving(ctx.database).invalidate();
    return updated;
  }),
  setGate: adminProcedure.input(gateInput).mutation(({ ctx, input }) => setGate(ctx.database, input, ctx.principal.actor)),
  deployments: procedure.input(z.object({ encoderName: name.optional() }).default({})).query(({ ctx, input }) => listDeployments(ctx.database, input)),
  createDeployment: adminProcedure.input(deploymentInput).mutation(({ ctx, input }) => createDeployment(ctx.database, input, ctx.principal.actor)),
});
