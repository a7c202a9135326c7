import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";

/** An unknown name, version or id (or one that is no id) is the app's not-found page, not an error. */
export function orNotFound<T>(query: Promise<T>): Promise<T> {
  return query.catch((err) => {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
}
