/**
 * Raw SQL in a transaction on either database, for the few hot paths (metric ingestion) where
 * drizzle's query builder is too slow. Everything else goes through drizzle.
 */
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "./index";

export interface SqlTx {
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** COPY tab-separated text rows into `table (columns)`. */
  copyIn(table: string, columns: string[], tsv: string): Promise<void>;
}

export async function withTransaction<T>(database: Database, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  if (database.kind === "pglite") {
    return database.client.transaction((tx) =>
      fn({
        query: async (text, values) => (await tx.query(text, values)).rows as never,
        copyIn: async (table, columns, tsv) => {
          await tx.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], { blob: new Blob([tsv]) });
        },
      }),
    );
  }
  const client = await database.pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn({
      query: async (text, values) => (await client.query(text, values)).rows,
      copyIn: async (table, columns, tsv) => {
        await pipeline(Readable.from([tsv]), client.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`)));
      },
    });
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** One statement outside a transaction. */
export async function query<T = Record<string, unknown>>(database: Database, text: string, values?: unknown[]): Promise<T[]> {
  const result = database.kind === "pglite" ? await database.client.query(text, values) : await database.pool.query(text, values);
  return result.rows as T[];
}
