/** Helpers for the JSON-over-HTTP API (app/api/v1): one error shape, bounded bodies. */
import { getDatabase, type Database } from "@/server/db";
import { ZodError, type ZodType } from "zod";
import { badInput, describeZodError, PretextError } from "@/server/errors";
import { jsonInputProblem, MAX_JSON_DEPTH, runId as runIdSchema } from "@/server/validation";

const MAX_JSON_BYTES = 32 * 1024 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** Runs a handler with the database; domain errors become `{ "error": message }` with their status. */
export async function handle(fn: (database: Database) => Promise<Response>): Promise<Response> {
  try {
    return await fn(await getDatabase());
  } catch (err) {
    if (err instanceof PretextError) return json({ error: err.message }, err.status);
    // a schema a service applies again: still the caller's bad input, never a 500
    if (err instanceof ZodError) return json({ error: describeZodError(err) }, 400);
    console.error(err);
    return json({ error: "internal error" }, 500);
  }
}

/**
 * The one JSON reader of the REST API: at most MAX_JSON_BYTES, nested at most MAX_JSON_DEPTH deep,
 * and no NUL character in any string or key (PostgreSQL stores neither in text nor jsonb).
 */
export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new PretextError(413, `body: larger than the limit of ${MAX_JSON_BYTES} bytes`);
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new PretextError(413, `body: larger than the limit of ${MAX_JSON_BYTES} bytes`);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch (err) {
    throw badInput(`body: not valid JSON (${(err as Error).message})`);
  }
  const problem = jsonInputProblem(body, "body", MAX_JSON_DEPTH);
  if (problem) throw badInput(problem);
  return body;
}

/** An id from a path or query string, checked by `schema`; 400 naming `field` otherwise. */
export function parseId(schema: ZodType<number>, raw: string, field = "id"): number {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw badInput(`${field}: ${describeZodError(parsed.error).replace(/^\(root\): /, "")}`);
  return parsed.data;
}

export const parseRunId = (raw: string) => parseId(runIdSchema, raw);

export type RouteContext<P> = { params: Promise<P> };
