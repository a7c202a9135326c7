/**
 * The one place requests are authenticated and authorized, for the REST routes, tRPC and pages:
 *   Authorization: Bearer <token>  an API token (or the local admin token)
 *   pretext_session cookie         a signed-in user; their writes also need the CSRF header
 *   neither                        anonymous: may read only where the server allows it
 * Every refusal is audited.
 */
import type { Scope } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { PretextError } from "@/server/errors";
import { recordAudit } from "./audit";
import { authConfig } from "./config";
import { localAdminPrincipal } from "./local-admin";
import { hasScope, NOBODY, type Principal } from "./principal";
import { sameSecret, sha256 } from "./secrets";
import { tokenPrincipal } from "./tokens";
import { sessionPrincipal } from "./users";

export const SESSION_COOKIE = "pretext_session";
/** A page reads it from a (not httpOnly) cookie and sends it back in CSRF_HEADER: another site can do neither. */
export const CSRF_COOKIE = "pretext_csrf";
export const CSRF_HEADER = "x-pretext-csrf";

/** The CSRF token of a session: derived from its secret, so nothing more is stored. */
export const csrfToken = (sessionSecret: string) => sha256(`csrf:${sessionSecret}`);

export function cookie(headers: Headers, cookieName: string): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

const OPEN: Principal = { actor: "anonymous (auth off)", scope: "admin", projectId: null, anonymous: true };

/** Who sent these headers. A credential that is wrong (unknown, revoked, expired) is a 401, never anonymous. */
export async function authenticate(database: Database, headers: Headers): Promise<Principal> {
  const config = authConfig();
  if (!config.enabled) return OPEN;
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new PretextError(401, "authorization: expected 'Bearer <token>'");
    const principal = localAdminPrincipal(match[1]) ?? (await tokenPrincipal(database, match[1]));
    if (!principal) throw new PretextError(401, "authorization: unknown, expired or revoked token");
    return principal;
  }
  const session = cookie(headers, SESSION_COOKIE);
  if (session) {
    const principal = await sessionPrincipal(database, session);
    if (principal) return { ...principal, csrf: csrfToken(session) };
  }
  return config.anonymousRead ? { ...NOBODY, scope: "read" } : NOBODY;
}

export interface Access {
  /** a request that changes something: with a session cookie, it needs the CSRF header */
  write: boolean;
  /** what is asked for, as the audit log names it: "POST /api/v1/runs", "trpc registry.changeStage" */
  target: string;
  needed: Scope;
}

/**
 * The principal behind `headers`, if it may do `access`; otherwise a 401 (no or a bad credential)
 * or a 403 (not enough scope, a write without the CSRF header, a project-restricted token off its
 * project), recorded in the audit log.
 */
export async function authorize(database: Database, headers: Headers, access: Access): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await authenticate(database, headers);
  } catch (err) {
    if (err instanceof PretextError) await auditRefusal(database, "anonymous", access, err.message);
    throw err;
  }
  const problem = refusal(principal, headers, access);
  if (problem) {
    await auditRefusal(database, principal.actor, access, problem.message);
    throw problem;
  }
  return principal;
}

function refusal(principal: Principal, headers: Headers, access: Access): PretextError | null {
  if (!hasScope(principal, access.needed)) {
    if (principal.anonymous) return new PretextError(401, `authorization: ${access.target} needs a token with the ${access.needed} scope (Authorization: Bearer <token>) or a signed-in user`);
    return new PretextError(403, `authorization: ${principal.actor} has ${principal.scope ?? "no"} scope; ${access.target} needs ${access.needed}`);
  }
  if (principal.csrf && access.write) {
    const sent = headers.get(CSRF_HEADER);
    if (!sent || !sameSecret(sent, principal.csrf)) return new PretextError(403, `csrf: a signed-in write needs the ${CSRF_HEADER} header from the ${CSRF_COOKIE} cookie`);
  }
  return null;
}

/** A project-restricted token may touch only its project; 403 otherwise (and for routes that have none). */
export async function requireProject(database: Database, principal: Principal, projectId: number | null, target: string): Promise<void> {
  if (principal.projectId === null || principal.projectId === projectId) return;
  const message = `authorization: ${principal.actor} is restricted to project ${principal.projectId}; ${target} is ${projectId === null ? "not in a project" : `in project ${projectId}`}`;
  await auditRefusal(database, principal.actor, { write: false, target, needed: "read" }, message);
  throw new PretextError(403, message);
}

async function auditRefusal(database: Database, actor: string, access: Access, message: string) {
  await recordAudit(database.db, actor, { action: "auth.refused", objectType: "request", objectId: access.target, detail: message }).catch((err) =>
    console.error("audit: could not record a refusal", err),
  );
}
