/**
 * The database client, created once per process: PostgreSQL when DATABASE_URL is set, otherwise
 * embedded PGlite under PRETEXT_HOME (default ./.pretext). Migrations run before first use.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "@/drizzle/schema";

export type Db = ReturnType<typeof drizzlePg<typeof schema>> | ReturnType<typeof drizzlePglite<typeof schema>>;

export type Database =
  | { kind: "postgres"; db: Db; pool: pg.Pool; close(): Promise<void> }
  | { kind: "pglite"; db: Db; client: PGlite; close(): Promise<void> };

// Resolved from the project root: Next.js bundles this module, so import.meta.url is not a guide.
const migrationsFolder = path.resolve(process.env.PRETEXT_MIGRATIONS_DIR ?? "drizzle/migrations");

export function pretextHome(): string {
  return path.resolve(process.env.PRETEXT_HOME ?? ".pretext");
}

/** Opens (and migrates) a database. Most code wants `getDatabase()` instead. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir?: string } = {}): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: Number(process.env.PRETEXT_DB_POOL ?? 10) });
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
  if (dataDir !== "memory://") mkdirSync(dataDir, { recursive: true });
  const client = dataDir === "memory://" ? new PGlite() : new PGlite(dataDir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return { kind: "pglite", db, client, close: () => client.close() };
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
