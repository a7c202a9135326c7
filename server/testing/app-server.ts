/**
 * Starts the built app (`next start`) on a free port: with its own embedded database, or on
 * PostgreSQL when `DATABASE_URL` is passed in `env`. Used by the e2e tests and the benchmarks.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { readLocalAdminToken } from "@/server/auth/local-admin";

export interface AppServer {
  url: string;
  home: string;
  stop(): Promise<void>;
  /** the server process, for fault tests to SIGKILL (startApp again with this port and home restarts it) */
  child: ChildProcess;
  /** the app's local admin token (server/auth/local-admin.ts); undefined when auth is off */
  token?: string;
  /** fetch with the admin token; `target` is a path on the app or a full URL */
  fetch(target: string, init?: RequestInit): Promise<Response>;
  /** signs a browser page in as the first admin, by a fresh one-time link */
  signIn(page: Page): Promise<void>;
  /** what the server printed so far */
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Builds the app unless a build is already there. */
export function ensureBuilt() {
  if (!existsSync(path.join(process.env.PRETEXT_NEXT_DIST_DIR ?? ".next", "BUILD_ID"))) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
}

/**
 * `mode: "dev"` runs `next dev` (what the README's quick start runs) with its own build directory,
 * so it never disturbs the production build the other tests share. `fixedPort` serves where the
 * README's examples expect the app (3000) instead of on a free port.
 */
export async function startApp(env: Record<string, string> = {}, mode: "start" | "dev" = "start", fixedPort?: number): Promise<AppServer> {
  if (mode === "start") ensureBuilt();
  const port = fixedPort ?? (await freePort());
  const home = mkdtempSync(path.join(os.tmpdir(), "pretext-e2e-"));
  const child: ChildProcess = spawn("node_modules/.bin/next", [mode, "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      // dev builds apart, whatever build the other tests share
      ...(mode === "dev" ? { PRETEXT_NEXT_DIST_DIR: ".next-dev" } : {}),
      PRETEXT_HOME: home,
      PRETEXT_DATA_DIR: process.env.PRETEXT_DATA_DIR ?? path.resolve("../shared/data"),
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (mode === "dev" ? 300_000 : 60_000); // dev compiles on first request
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited:\n${log}`);
    try {
      const res = await fetch(`${url}/api/v1/runs/1`);
      if (res.status === 404 || res.status === 401 || res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`next start did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = readLocalAdminToken(env.PRETEXT_HOME ?? home) ?? undefined;
  const appFetch = (target: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(target.startsWith("http") ? target : `${url}${target}`, { ...init, headers });
  };
  return {
    url,
    home,
    child,
    token,
    fetch: appFetch,
    log: () => log,
    signIn: async (page) => {
      const res = await appFetch("/api/v1/users/admin/link", { method: "POST", headers: { "content-type": "application/json", connection: "close" } });
      if (!res.ok) throw new Error(`sign-in link: ${res.status} ${await res.text()}`);
      await page.goto(`${url}${((await res.json()) as { link: string }).link}`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
