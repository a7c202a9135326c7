/** The session cookies a sign-in sets and a sign-out clears. */
import { CSRF_COOKIE, csrfToken, SESSION_COOKIE } from "./authenticate";
import { SESSION_DAYS } from "./users";

/** Secure when the request came over HTTPS (directly or through a proxy that says so). */
function secure(req: Request): string {
  const https = new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
  return https ? "; Secure" : "";
}

export function sessionCookies(req: Request, sessionSecret: string): string[] {
  const maxAge = SESSION_DAYS * 86_400;
  return [
    `${SESSION_COOKIE}=${sessionSecret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure(req)}`,
    // readable by the pages, which send it back in the CSRF header on every write
    `${CSRF_COOKIE}=${csrfToken(sessionSecret)}; Path=/; SameSite=Strict; Max-Age=${maxAge}${secure(req)}`,
  ];
}

export function clearedCookies(req: Request): string[] {
  return [SESSION_COOKIE, CSRF_COOKIE].map((name) => `${name}=; Path=/; Max-Age=0${secure(req)}`);
}
