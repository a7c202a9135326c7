import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { getDatabase, type Database } from "@/server/db";
import { ZodError } from "zod";
import { describeZodError, PretextError } from "@/server/errors";
import { jsonInputProblem } from "@/server/validation";

export async function createContext(): Promise<{ database: Database }> {
  return { database: await getDatabase() };
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

const CODES = { 400: "BAD_REQUEST", 404: "NOT_FOUND", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "UNPROCESSABLE_CONTENT", 500: "INTERNAL_SERVER_ERROR" } as const;

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

export const router = t.router;
export const procedure = t.procedure.use(domainErrors);
export const createCallerFactory = t.createCallerFactory;
