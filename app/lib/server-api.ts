import { headers } from "next/headers";
import { createCaller } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";

/** tRPC called in-process from server components: same procedures, types and permissions as the browser's. */
export async function api() {
  return createCaller(await createContext({ headers: new Headers(await headers()) }));
}
