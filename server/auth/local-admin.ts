/**
 * The local admin credential: a token the app makes at every start and writes, readable by its
 * owner only, to $PRETEXT_HOME/local-admin-token. Whoever can read that file can read the embedded
 * database itself, so it grants nothing new; it lets the CLI on the same machine administer the app
 * that holds the embedded database (`pretext token create` while `npm run dev` runs), as Jupyter's
 * runtime files do. Only its sha256 is kept in memory; it dies with the process.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pretextHome } from "@/server/db";
import { newSecret, sameSecret } from "./secrets";
import type { Principal } from "./principal";

const LOCAL_PREFIX = "ptx_local_";
const g = globalThis as unknown as { __pretextLocalAdmin?: string };

export const localAdminTokenFile = (home = pretextHome()) => path.join(home, "local-admin-token");

/** Makes this process's local admin token and writes its file (mode 0600). */
export function issueLocalAdminToken(): void {
  const token = newSecret(LOCAL_PREFIX);
  const file = localAdminTokenFile();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  g.__pretextLocalAdmin = token;
}

export function localAdminPrincipal(token: string): Principal | null {
  const mine = g.__pretextLocalAdmin;
  if (!mine || !token.startsWith(LOCAL_PREFIX) || !sameSecret(token, mine)) return null;
  return { actor: "local admin", scope: "admin", projectId: null, anonymous: false };
}

/** The token of the app serving `home`, for the CLI; null when there is none. */
export function readLocalAdminToken(home = pretextHome()): string | null {
  try {
    return readFileSync(localAdminTokenFile(home), "utf8").trim() || null;
  } catch {
    return null;
  }
}
