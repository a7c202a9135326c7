import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { getDatabase, type Database } from "@/server/db";
import { ZodError } from "zod";
import { describeZodError, PretextError } from "@/server/errors";
import { jsonInputProblem } from "@/server/validation";
import type { Scope } from "@/drizzle/schema";
import { authorize, requireProject } from "@/server/auth/authenticate";
import type { Principal } from "@/server/auth/principal";

/** The request's headers (the browser's, or a server component's) say who calls; procedures check it. */
export async function createContext({ headers }: { headers: Headers }): Promise<{ database: Database; headers: Headers }> {
  return { database: await getDatabase(), headers };
}

const t = initTRPC.context<typeof createContext>().create({
  transformer: superjson,
  /** No error carries a stack trace; an unexpected one says "internal error", never its SQL or the database's message. */
  errorFormatter({ shape, error }) {
    const { stack: _stack, ...data } = shape.data;
    if (error.code !== "INTERNAL_SERVER_ERROR") return { ...shape, data };
    console.error(error.cause ?? error);
    return { ...shape, message: "internal error", data };
  },
});

const CODES = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
} as const;

/**
 * Domain errors keep their meaning (404, 409, ...) when they cross into tRPC, and bad input (a
 * procedure's input schema, or a schema inside a service) reads "<field>: <reason>; ..." as in the
 * REST API, never zod's JSON dump of its issues.
 */
const domainErrors = t.middleware(async ({ next, getRawInput }) => {
  // the same rule as the REST API's JSON reader: no NUL character, no absurd nesting
  const problem = jsonInputProblem(await getRawInput(), "input");
  if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: problem });
  const result = await next();
  if (!result.ok && result.error.cause instanceof PretextError) {
    throw new TRPCError({ code: CODES[result.error.cause.status], message: result.error.cause.message, cause: result.error.cause });
  }
  if (!result.ok && result.error.cause instanceof ZodError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: describeZodError(result.error.cause), cause: result.error.cause });
  }
  return result;
});

/** Queries need read, mutations write, `adminProcedure` admin; project-restricted tokens are for the REST API only. */
const authorized = (scope?: Scope) =>
  t.middleware(async ({ ctx, type, path, next }) => {
    const target = `trpc ${path}`;
    const principal: Principal = await authorize(ctx.database, ctx.headers, { write: type === "mutation", target, needed: scope ?? (type === "mutation" ? "write" : "read") });
    await requireProject(ctx.database, principal, null, target);
    return next({ ctx: { principal } });
  });

export const router = t.router;
export const procedure = t.procedure.use(domainErrors).use(authorized());
export const adminProcedure = t.procedure.use(domainErrors).use(authorized("admin"));
export const createCallerFactory = t.createCallerFactory;
