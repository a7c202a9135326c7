import { NextResponse, type NextRequest } from "next/server";
import { refuseRequest, signInRedirect } from "@/server/request-boundary";

/**
 * The gate in front of the pages (server/request-boundary.ts); pages learn their path (for the
 * sign-in redirect). The API is left out: a request that passes middleware has its body buffered
 * by Next (and cut at 10 MiB), so /api routes apply the same boundary themselves (server/http.ts
 * `handle`, app/api/trpc) and stream their bodies.
 */
export function middleware(req: NextRequest) {
  const refusal = refuseRequest(req.method, req.nextUrl, req.headers);
  if (refusal) return NextResponse.json({ error: refusal.error }, { status: refusal.status });
  const signIn = signInRedirect(req.nextUrl, req.headers, { PRETEXT_AUTH: process.env.PRETEXT_AUTH, PRETEXT_ANONYMOUS_READ: process.env.PRETEXT_ANONYMOUS_READ });
  if (signIn) return NextResponse.redirect(new URL(signIn, req.url));
  const headers = new Headers(req.headers);
  headers.set("x-pretext-path", req.nextUrl.pathname + req.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: "/((?!api/|_next/static|_next/image|favicon.ico).*)" };
