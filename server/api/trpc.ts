import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { getDatabase, type Database } from "@/server/db";
import { ZodError } from "zod";
import { describeZodError, PretextError } from "@/server/errors";

export async function createContext(): Promise<{ database: Database }> {
  return { database: await getDatabase() };
}

const t = initTRPC.context<typeof createContext>().create({ transformer: superjson });

const CODES = { 400: "BAD_REQUEST", 404: "NOT_FOUND", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 422: "UNPROCESSABLE_CONTENT", 500: "INTERNAL_SERVER_ERROR" } as const;

/**
 * Domain errors keep their meaning (404, 409, ...) when they cross into tRPC, and bad input (a
 * procedure's input schema, or a schema inside a service) reads "<field>: <reason>; ..." as in the
 * REST API, never zod's JSON dump of its issues.
 */
const domainErrors = t.middleware(async ({ next }) => {
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
