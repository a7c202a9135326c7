/**
 * What every request must pass before any route sees it (middleware.ts): no NUL character in the
 * URL, and no write to the API that a web page on another site could send — a cross-origin one, or
 * a body of the types an HTML form or a "simple" cross-site fetch may send without asking (JSON
 * routes need `application/json`; artifact uploads take any type, but browsers cannot send a
 * cross-site PUT without CORS, which Pretext never grants). Pure, so the edge runtime can run it.
 */

export interface Refusal {
  status: 400 | 403 | 415;
  error: string;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
const FORM_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];
const ARTIFACT_UPLOAD = /^\/api\/v1\/runs\/[^/]+\/artifacts\//;

/**
 * A page asked for with no credential at all (no session cookie, no Authorization header) while
 * reading needs one: the path of the sign-in page to send it to, so nothing renders (or is refused
 * and audited) first. Whether a credential is valid is for the page to find out.
 */
export function signInRedirect(url: URL, headers: Headers, env: { PRETEXT_AUTH?: string; PRETEXT_ANONYMOUS_READ?: string }): string | null {
  const path = url.pathname;
  if (path.startsWith("/api/") || path.startsWith("/sign-in") || path.startsWith("/_next/") || /\.\w+$/.test(path)) return null;
  if (env.PRETEXT_AUTH?.toLowerCase() === "off" || ["true", "1"].includes(env.PRETEXT_ANONYMOUS_READ?.toLowerCase() ?? "")) return null;
  if (headers.has("authorization") || /(?:^|;\s*)pretext_session=/.test(headers.get("cookie") ?? "")) return null;
  return `/sign-in?next=${encodeURIComponent(path + url.search)}`;
}

export function refuseRequest(method: string, url: URL, headers: Headers): Refusal | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname) + decodeURIComponent(url.search.replace(/\+/g, " "));
  } catch {
    return { status: 400, error: "url: malformed percent-encoding" };
  }
  if (decoded.includes("\u0000")) return { status: 400, error: "url: must not contain the NUL character (%00)" };
  if (READS.has(method.toUpperCase()) || !url.pathname.startsWith("/api/")) return null;

  const origin = headers.get("origin");
  if (origin !== null) {
    const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? url.host;
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" (sandboxed pages, file://) and anything unparsable stay null
    }
    if (originHost !== host) return { status: 403, error: `origin: ${origin} may not write to this server (cross-site request)` };
  }
  const type = (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (FORM_TYPES.includes(type) && !ARTIFACT_UPLOAD.test(url.pathname)) {
    return { status: 415, error: `content-type: ${type} is not accepted; send the body as application/json` };
  }
  return null;
}
