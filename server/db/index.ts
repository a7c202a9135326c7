/**
 * The database client, created once per process: PostgreSQL when DATABASE_URL is set, otherwise
 * embedded PGlite under PRETEXT_HOME (default ./.pretext). Migrations run before first use.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "@/drizzle/schema";

export type Db = ReturnType<typeof drizzlePg<typeof schema>> | ReturnType<typeof drizzlePglite<typeof schema>>;
/** A database or one of its open transactions: what a write that may join a caller's transaction takes. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What Pretext uses of a PGlite client: the real one, or a worker thread's proxy of it (./pglite-proxy). */
export interface PgliteClient {
  query: PGlite["query"];
  exec: PGlite["exec"];
  transaction<T>(fn: (tx: Pick<Transaction, "query" | "exec">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Database =
  | { kind: "postgres"; db: Db; pool: pg.Pool; close(): Promise<void> }
  | { kind: "pglite"; db: Db; client: PgliteClient; close(): Promise<void> };

// Resolved from the project root: Next.js bundles this module, so import.meta.url is not a guide.
const migrationsFolder = path.resolve(process.env.PRETEXT_MIGRATIONS_DIR ?? "drizzle/migrations");

export function pretextHome(): string {
  return path.resolve(process.env.PRETEXT_HOME ?? ".pretext");
}

/** Opens (and migrates) a database. Most code wants `getDatabase()` instead. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir?: string } = {}): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: Number(process.env.PRETEXT_DB_POOL ?? 10) });
    // An idle client whose connection the server ends (restart, drop database) emits here; the pool
    // replaces it on next use, so it must not become an uncaught error that kills the process.
    pool.on("error", (err) => console.warn(`postgres: idle connection lost (${err.message})`));
    const db = drizzlePg(pool, { schema });
    // Many workers may start at once: one migrates, the others wait on the lock.
    const lock = await pool.connect();
    try {
      await lock.query("select pg_advisory_lock(72707)");
      await migratePg(drizzlePg(lock, { schema }), { migrationsFolder });
    } finally {
      await lock.query("select pg_advisory_unlock(72707)").catch(() => {});
      lock.release();
    }
    return { kind: "postgres", db, pool, close: () => pool.end() };
  }
  const dataDir = opts.dataDir ?? path.join(pretextHome(), "db");
  const release = dataDir === "memory://" ? () => {} : lockDataDir(dataDir);
  const client = dataDir === "memory://" ? new PGlite() : new PGlite(dataDir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    kind: "pglite",
    db,
    client,
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** Where a PostgreSQL database is, for another client (a queue, a worker thread) to connect to it too. */
export function connectionStringOf(database: Extract<Database, { kind: "postgres" }>): string {
  const { connectionString } = database.pool.options as { connectionString?: string };
  if (!connectionString) throw new Error("the PostgreSQL pool has no connection string");
  return connectionString;
}

/** The app's embedded database as a worker thread sees it: through a proxy, already migrated. */
export function pgliteDatabaseOver(client: PgliteClient): Database {
  // drizzle only calls query and transaction, which the proxy serves.
  return { kind: "pglite", db: drizzlePglite(client as PGlite, { schema }), client, close: () => client.close() };
}

/** The live process that holds the embedded database (the app, or a CLI command), if any. */
export function embeddedDatabaseOwner(dataDir = path.join(pretextHome(), "db")): number | null {
  let owner: number;
  try {
    owner = Number(readFileSync(`${dataDir}.lock`, "utf8"));
  } catch {
    return null;
  }
  return owner !== process.pid && isAlive(owner) ? owner : null;
}

/**
 * PGlite is a single-process database: a second process opening the same directory would corrupt
 * it. A lock file holding the owner's pid turns that into a clear error (a dead owner's lock is taken over).
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = `${dataDir}.lock`;
  try {
    writeFileSync(lock, String(process.pid), { flag: "wx" });
  } catch {
    const owner = embeddedDatabaseOwner(dataDir);
    if (owner !== null) {
      throw new Error(
        `the embedded database ${dataDir} is in use by process ${owner} (is \`npm run dev\` running?). ` +
          "Stop it, or log through the app with PRETEXT_URL=http://localhost:3000, or use DATABASE_URL.",
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  const release = () => rmSync(lock, { force: true });
  process.once("exit", release);
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Kept on globalThis so Next.js dev reloads and tests reuse one connection per process.
const g = globalThis as unknown as { __pretextDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  g.__pretextDb ??= openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined }).catch((err) => {
    g.__pretextDb = undefined;
    throw err;
  });
  return g.__pretextDb;
}
