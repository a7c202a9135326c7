/**
 * Node-only start-up of authentication (instrumentation.ts): checks the settings, makes the local
 * admin token, and on a fresh install an admin with a one-time sign-in link, printed as Jupyter
 * prints its token URL.
 */
import { getDatabase } from "@/server/db";
import { authConfig } from "./config";
import { issueLocalAdminToken } from "./local-admin";
import { ensureFirstAdmin } from "./users";
import { publicUrl } from "@/server/public-url";

export async function startAuth(): Promise<void> {
  const config = authConfig(); // a bad PRETEXT_AUTH or PRETEXT_ANONYMOUS_READ stops the start here
  if (!config.enabled) {
    console.warn("Pretext: authentication is OFF (PRETEXT_AUTH=off): anyone who reaches this server may change anything.");
    return;
  }
  issueLocalAdminToken();
  const link = await ensureFirstAdmin(await getDatabase());
  if (link) {
    console.log(`\nPretext: sign in as admin (first start) — this link works once, for 24 hours:\n\n    ${publicUrl()}/sign-in/${link}\n`);
  }
}
