/** Where CLI commands send their work: the configured app, the running app, or the database. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appTarget } from "./target";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function freshHome(lockOwner?: number): string {
  const home = mkdtempSync(path.join(os.tmpdir(), "pretext-target-"));
  mkdirSync(path.join(home, "db"));
  if (lockOwner !== undefined) writeFileSync(path.join(home, "db.lock"), String(lockOwner));
  process.env.PRETEXT_HOME = home;
  delete process.env.DATABASE_URL;
  delete process.env.PRETEXT_URL;
  return home;
}

describe("appTarget", () => {
  it("uses PRETEXT_URL when it is set", async () => {
    freshHome();
    process.env.PRETEXT_URL = "http://127.0.0.1:9/";
    expect((await appTarget())?.baseUrl).toBe("http://127.0.0.1:9");
  });

  it("uses the database when nothing holds the embedded one, when DATABASE_URL is set, or when PRETEXT_URL is empty", async () => {
    freshHome();
    expect(await appTarget()).toBeUndefined();
    freshHome(process.ppid);
    process.env.DATABASE_URL = "postgres://127.0.0.1/test";
    expect(await appTarget()).toBeUndefined();
    freshHome(process.ppid);
    process.env.PRETEXT_URL = "";
    expect(await appTarget()).toBeUndefined();
  });

  it("ignores a lock left by a dead process", async () => {
    freshHome(2 ** 22 + 12345); // above Linux's pid_max default
    expect(await appTarget()).toBeUndefined();
  });

  it("goes through the app that holds the embedded database, and says what to do when none answers", async () => {
    freshHome(process.ppid); // a live process that is not this one holds the lock
    await expect(appTarget()).rejects.toThrow(
      new RegExp(`in use by process ${process.ppid}, and no app answers at http://localhost:3000.*set PRETEXT_URL`),
    );
  });
});
