import { headers } from "next/headers";
import { authenticate } from "@/server/auth/authenticate";
import { authConfig } from "@/server/auth/config";
import { NOBODY, type Principal } from "@/server/auth/principal";
import { getDatabase } from "@/server/db";
import { PretextError } from "@/server/errors";

/** Who is looking at a page (a stale or bad cookie reads as nobody), and the path they asked for. */
export async function viewer(): Promise<{ principal: Principal; path: string; authEnabled: boolean }> {
  const h = new Headers(await headers());
  const path = h.get("x-pretext-path") ?? "/";
  let principal: Principal;
  try {
    principal = await authenticate(await getDatabase(), h);
  } catch (err) {
    if (!(err instanceof PretextError)) throw err;
    principal = NOBODY;
  }
  return { principal, path, authEnabled: authConfig().enabled };
}
