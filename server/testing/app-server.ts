/**
 * Starts the built app (`next start`) on a free port: with its own embedded database, or on
 * PostgreSQL when `DATABASE_URL` is passed in `env`. Used by the e2e tests and the benchmarks.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface AppServer {
  url: string;
  home: string;
  stop(): Promise<void>;
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
      ...(mode === "dev" ? { PRETEXT_NEXT_DIST_DIR: ".next-dev" } : {}),
      ...process.env,
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
      if (res.status === 404 || res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`next start did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    home,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
