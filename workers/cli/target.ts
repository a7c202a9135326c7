/**
 * Where a CLI command sends its work: to a running app over HTTP, or straight into the database.
 *   PRETEXT_URL set                      -> the app there
 *   PRETEXT_URL="" or DATABASE_URL set   -> the database
 *   otherwise                            -> the embedded database, unless a running app holds it:
 *                                           then the app, at http://localhost:3000
 * The app is called with $PRETEXT_TOKEN; the app that holds the embedded database, without one,
 * with the local admin token it wrote beside that database (server/auth/local-admin.ts).
 */
import { DEFAULT_APP_URL, PretextClient } from "@/server/client";
import { readLocalAdminToken } from "@/server/auth/local-admin";
import { embeddedDatabaseOwner } from "@/server/db";

/** The app to talk to, or undefined to use the database directly. */
export async function appTarget(): Promise<PretextClient | undefined> {
  const configured = process.env.PRETEXT_URL;
  if (configured) return new PretextClient({ baseUrl: configured });
  if (configured === "" || process.env.DATABASE_URL) return undefined;
  const owner = embeddedDatabaseOwner();
  if (owner === null) return undefined;
  const client = new PretextClient({ baseUrl: DEFAULT_APP_URL, token: process.env.PRETEXT_TOKEN || (readLocalAdminToken() ?? undefined) });
  try {
    await fetch(client.baseUrl, { method: "HEAD", signal: AbortSignal.timeout(5000) });
  } catch {
    throw new Error(
      `the embedded database is in use by process ${owner}, and no app answers at ${client.baseUrl}. ` +
        "If the app runs elsewhere, set PRETEXT_URL to its address; otherwise stop that process.",
    );
  }
  console.error(`the app (process ${owner}) holds the embedded database: working through ${client.baseUrl}`);
  return client;
}
