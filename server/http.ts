/** Helpers for the JSON-over-HTTP API (app/api/v1): one error shape, bounded bodies. */
import { getDatabase, type Database } from "@/server/db";
import { badInput, describeZodError, PretextError } from "@/server/errors";
import { runId as runIdSchema } from "@/server/validation";

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
    console.error(err);
    return json({ error: "internal error" }, 500);
  }
}

export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new PretextError(413, `body: larger than the limit of ${MAX_JSON_BYTES} bytes`);
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new PretextError(413, `body: larger than the limit of ${MAX_JSON_BYTES} bytes`);
  try {
    return text ? JSON.parse(text) : {};
  } catch (err) {
    throw badInput(`body: not valid JSON (${(err as Error).message})`);
  }
}

export function parseRunId(raw: string): number {
  const parsed = runIdSchema.safeParse(raw);
  if (!parsed.success) throw badInput(`id: ${describeZodError(parsed.error).replace(/^\(root\): /, "")}`);
  return parsed.data;
}

export type RouteContext<P> = { params: Promise<P> };
