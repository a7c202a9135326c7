import { z } from "zod";
import { auditFilter, listAudit } from "@/server/auth/audit";
import { createToken, listTokens, revokeToken, tokenInput } from "@/server/auth/tokens";
import { createSignInLink, createUser, listUsers, updateUser, userInput, userUpdate } from "@/server/auth/users";
import { idOf, name } from "@/server/validation";
import { adminProcedure, router } from "../trpc";

/** Users, tokens and the audit log: admins only. */
export const accessRouter = router({
  users: adminProcedure.query(({ ctx }) => listUsers(ctx.database)),
  createUser: adminProcedure.input(userInput).mutation(({ ctx, input }) => createUser(ctx.database, input, ctx.principal)),
  updateUser: adminProcedure.input(userUpdate).mutation(({ ctx, input }) => updateUser(ctx.database, input, ctx.principal)),
  signInLink: adminProcedure.input(z.object({ name })).mutation(({ ctx, input }) => createSignInLink(ctx.database, input.name, ctx.principal)),
  tokens: adminProcedure.query(({ ctx }) => listTokens(ctx.database)),
  createToken: adminProcedure.input(tokenInput).mutation(({ ctx, input }) => createToken(ctx.database, input, ctx.principal)),
  revokeToken: adminProcedure.input(z.object({ id: idOf("a token") })).mutation(({ ctx, input }) => revokeToken(ctx.database, input.id, ctx.principal)),
  audit: adminProcedure.input(auditFilter.default({ limit: 100 }))
    .query(({ ctx, input }) => listAudit(ctx.database, input)),
});
