/** Helpers for the JSON-over-HTTP API (app/api/v1): who may call, one error shape, bounded bodies. */
import { getDatabase, type Database } from "@/server/db";
import { ZodError, type ZodType } from "zod";
import type { Scope } from "@/drizzle/schema";
import { authorize, requireProject } from "@/server/auth/authenticate";
import { requireRunProject } from "@/server/auth/project-access";
import { NOBODY, type Principal } from "@/server/auth/principal";
import { takeRateToken, type RateClass } from "@/server/auth/rate-limit";
import { badInput, describeZodError, PretextError } from "@/server/errors";
import { refuseRequest } from "@/server/request-boundary";
import { jsonInputProblem, MAX_JSON_DEPTH, runId as runIdSchema } from "@/server/validation";

const MAX_JSON_BYTES = 32 * 1024 * 1024;

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

export interface RouteAccess {
  /** default: read for GET and HEAD, write otherwise; "none" for the sign-in routes */
  scope?: Scope | "none";
  /** the handler calls `requireProject` itself, so a project-restricted token may use the route */
  projectScoped?: boolean;
  /** counts against the caller's rate limit of this class */
  rate?: RateClass;
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * Runs a route: authorizes the caller (server/auth), then the handler with the database and the
 * caller. Domain errors become `{ "error": message }` with their status (and Retry-After on a 429).
 */
export async function handle(req: Request, fn: (database: Database, principal: Principal) => Promise<Response>, access: RouteAccess = {}): Promise<Response> {
  const refusal = refuseRequest(req.method, new URL(req.url), req.headers);
  if (refusal) return json({ error: refusal.error }, refusal.status);
  try {
    const database = await getDatabase();
    const target = `${req.method} ${new URL(req.url).pathname}`;
    const needed = access.scope ?? (READ_METHODS.has(req.method) ? "read" : "write");
    const principal = needed === "none" ? NOBODY : await authorize(database, req.headers, { write: !READ_METHODS.has(req.method), target, needed });
    if (!access.projectScoped) await requireProject(database, principal, null, target);
    if (access.rate) takeRateToken(access.rate, principal.actor);
    return await fn(database, principal);
  } catch (err) {
    if (err instanceof PretextError) {
      // at this edge the root of the input is the body
      const res = json({ error: err.status === 400 ? err.message.replace(/(^|; )\(root\): /g, "$1body: ") : err.message }, err.status);
      if (err.retryAfterS !== undefined) res.headers.set("retry-after", String(err.retryAfterS));
      return res;
    }
    // a schema a service applies again: still the caller's bad input, never a 500
    if (err instanceof ZodError) return json({ error: describeZodError(err).replace(/(^|; )\(root\): /g, "$1body: ") }, 400);
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
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > MAX_JSON_BYTES) throw new PretextError(413, `body: larger than the limit of ${MAX_JSON_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badInput("body: not valid UTF-8");
  }
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

/** An id or name from a path or query string, checked by `schema`; 400 naming `field` otherwise. */
export function parseParam<T>(schema: ZodType<T>, raw: string, field = "id"): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw badInput(`${field}: ${describeZodError(parsed.error).replace(/^\(root\): /, "")}`);
  return parsed.data;
}

export const parseRunId = (raw: string) => parseParam(runIdSchema, raw);

/** The request's JSON body checked by `schema`: the typed value, or a 400 naming each bad field. */
export async function readInput<T extends ZodType>(req: Request, schema: T): Promise<T["_output"]> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  return parsed.data;
}

export type RouteContext<P> = { params: Promise<P> };

/** The query string checked by `schema` (each parameter as a string): the typed value, or a 400 naming each bad one. */
export function readQuery<T extends ZodType>(req: Request, schema: T): T["_output"] {
  const parsed = schema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  return parsed.data;
}

/** `handle` for routes under /api/v1/runs/:id: the id checked, and a project-restricted token kept to its project. */
export function handleRun<P extends { id: string }>(
  req: Request,
  ctx: RouteContext<P>,
  fn: (database: Database, runId: number, params: P, principal: Principal) => Promise<Response>,
  access: Omit<RouteAccess, "projectScoped"> = {},
): Promise<Response> {
  return handle(
    req,
    async (database, principal) => {
      const params = await ctx.params;
      const runId = parseRunId(params.id);
      await requireRunProject(database, principal, runId, `${req.method} ${new URL(req.url).pathname}`);
      return fn(database, runId, params, principal);
    },
    { ...access, projectScoped: true },
  );
}
