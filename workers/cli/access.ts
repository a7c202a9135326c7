/**
 * `pretext token …` and `pretext user …`: tokens and users without the UI, for scripts and CI.
 * Through the running app when there is one (./target.ts; the app that holds the embedded database
 * is reached with its local admin token), else straight into the database ($DATABASE_URL or the
 * embedded one), where whoever runs the CLI acts as "local:<os user>".
 */
import os from "node:os";
import { getDatabase, type Database } from "@/server/db";
import type { PretextClient } from "@/server/client";
import { createToken, listTokens, revokeToken, tokenInput, type TokenRow } from "@/server/auth/tokens";
import { createSignInLink, createUser, listUsers, userInput, type UserRow } from "@/server/auth/users";
import { describeZodError } from "@/server/errors";
import { parseCommand } from "@/workers/engine/cli-args";
import { appTarget } from "./target";

export const TOKEN_USAGE = `usage: pretext token create --name <name> --scopes read[,write][,admin] [--project <name>] [--expires-in-days N]
       pretext token list
       pretext token revoke <id or name>`;
export const USER_USAGE = `usage: pretext user create --name <name> --role viewer|editor|admin
       pretext user list
       pretext user link <name>          a new one-time sign-in link`;

/** Runs `fn` against the app's REST API or the database, whichever ./target.ts picks. */
async function onTarget<T>(viaApp: (client: PretextClient) => Promise<T>, direct: (database: Database, actor: string) => Promise<T>): Promise<{ result: T; base: string }> {
  const client = await appTarget();
  if (client) return { result: await viaApp(client), base: client.baseUrl };
  const database = await getDatabase();
  try {
    return { result: await direct(database, `local:${os.userInfo().username}`), base: process.env.PRETEXT_PUBLIC_URL ?? "http://localhost:3000" };
  } finally {
    await database.close();
  }
}

function checked<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import("zod").ZodError } }, value: unknown, usage: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${describeZodError(parsed.error)}\n${usage}`);
  return parsed.data;
}

const table = (rows: string[][]) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
};
const day = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 10) : "-");

export async function tokenCommand([sub, ...args]: string[]) {
  if (sub === "create") {
    const { flags } = parseCommand(args, { name: {}, scopes: {}, project: {}, "expires-in-days": {} }, ["name", "scopes"], TOKEN_USAGE);
    const days = flags["expires-in-days"];
    const input = checked(
      tokenInput,
      { name: flags.name, scopes: flags.scopes!.split(",").map((s) => s.trim()), project: flags.project, expiresInDays: days === undefined ? undefined : Number(days) },
      TOKEN_USAGE,
    );
    const { result } = await onTarget(
      (client) => client.request<{ token: string; info: TokenRow }>("POST", "/api/v1/tokens", input),
      (database, actor) => createToken(database, input, actor),
    );
    console.error(`token ${result.info.name} (${result.info.scopes.join(", ")}${input.project ? `, project ${input.project}` : ""}) — shown this once:`);
    console.log(result.token);
    return;
  }
  if (sub === "list") {
    parseCommand(args, {}, [], TOKEN_USAGE);
    const { result } = await onTarget((client) => client.request<TokenRow[]>("GET", "/api/v1/tokens"), (database) => listTokens(database));
    const state = (t: TokenRow) => (t.revokedAt ? "revoked" : t.expiresAt && new Date(t.expiresAt) < new Date() ? "expired" : "active");
    console.log(table([["id", "name", "token", "scopes", "project", "last used", "expires", "state"], ...result.map((t) => [String(t.id), t.name, `${t.prefix}…`, t.scopes.join(","), t.projectId === null ? "all" : String(t.projectId), day(t.lastUsedAt), day(t.expiresAt), state(t)])]));
    return;
  }
  if (sub === "revoke") {
    const { positionals } = parseCommand(args, {}, [], TOKEN_USAGE, { positionals: true });
    if (positionals.length !== 1) throw new Error(`give one token id or name\n${TOKEN_USAGE}`);
    const which = /^\d+$/.test(positionals[0]) ? Number(positionals[0]) : positionals[0];
    const { result } = await onTarget(
      async (client) => {
        const id = typeof which === "number" ? which : (await client.request<TokenRow[]>("GET", "/api/v1/tokens")).find((t) => t.name === which && !t.revokedAt)?.id;
        if (id === undefined) throw new Error(`token ${JSON.stringify(which)} not found (or already revoked)`);
        return client.request<TokenRow>("DELETE", `/api/v1/tokens/${id}`);
      },
      (database, actor) => revokeToken(database, which, actor),
    );
    console.log(`revoked token ${result.id} (${result.name}, ${result.prefix}…)`);
    return;
  }
  throw new Error(TOKEN_USAGE);
}

export async function userCommand([sub, ...args]: string[]) {
  if (sub === "create") {
    const { flags } = parseCommand(args, { name: {}, role: {} }, ["name", "role"], USER_USAGE);
    const input = checked(userInput, flags, USER_USAGE);
    const { result, base } = await onTarget(
      async (client) => (await client.request<{ user: UserRow; link: string }>("POST", "/api/v1/users", input)).link,
      async (database, actor) => `/sign-in/${(await createUser(database, input, actor)).link}`,
    );
    console.log(`user ${input.name} (${input.role}); one-time sign-in link (24 hours):\n${base}${result}`);
    return;
  }
  if (sub === "list") {
    parseCommand(args, {}, [], USER_USAGE);
    const { result } = await onTarget((client) => client.request<UserRow[]>("GET", "/api/v1/users"), (database) => listUsers(database));
    console.log(table([["name", "role", "password", "state"], ...result.map((u) => [u.name, u.role, u.hasPassword ? "set" : "-", u.disabledAt ? "disabled" : "active"])]));
    return;
  }
  if (sub === "link") {
    const { positionals } = parseCommand(args, {}, [], USER_USAGE, { positionals: true });
    if (positionals.length !== 1) throw new Error(`give one user name\n${USER_USAGE}`);
    const [name] = positionals;
    const { result, base } = await onTarget(
      async (client) => (await client.request<{ link: string }>("POST", `/api/v1/users/${encodeURIComponent(name)}/link`, {})).link,
      async (database, actor) => `/sign-in/${await createSignInLink(database, name, actor)}`,
    );
    console.log(`one-time sign-in link for ${name} (24 hours):\n${base}${result}`);
    return;
  }
  throw new Error(USER_USAGE);
}
