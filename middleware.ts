import { NextResponse, type NextRequest } from "next/server";
import { refuseRequest } from "@/server/request-boundary";

/** The one gate in front of every route: see server/request-boundary.ts. */
export function middleware(req: NextRequest) {
  const refusal = refuseRequest(req.method, req.nextUrl, req.headers);
  return refusal ? NextResponse.json({ error: refusal.error }, { status: refusal.status }) : NextResponse.next();
}

export const config = { matcher: "/((?!_next/static|_next/image|favicon.ico).*)" };
