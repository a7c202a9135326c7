/**
 * PGlite lives in one thread: the app's. A worker thread reaches the same database through this
 * proxy over a MessagePort — queries, exec scripts and transactions — so training can run off the
 * web server's event loop while both see one consistent database.
 *
 *   host (app thread):    servePglite(client, port)
 *   guest (worker thread): new PgliteProxy(port), passed to drizzle and pg-boss as the PGlite client
 */
import type { MessagePort } from "node:worker_threads";
import type { QueryOptions, Results, Transaction } from "@electric-sql/pglite";
import type { PgliteClient } from "./index";

type Request =
  | { id: number; op: "query"; tx?: number; text: string; params?: unknown[]; options?: WireQueryOptions }
  | { id: number; op: "exec"; tx?: number; text: string }
  | { id: number; op: "begin" }
  | { id: number; op: "end"; tx: number; commit: boolean };

/** A request before the proxy numbers it. */
type Unnumbered<R> = R extends unknown ? Omit<R, "id"> : never;

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };

/** QueryOptions without functions: parsers travel as the type ids they keep raw (drizzle's only use of them). */
interface WireQueryOptions {
  rowMode?: "array" | "object";
  rawTypes?: number[];
  blob?: Uint8Array;
}

type WireError = { message: string } & Record<string, string | number | boolean | undefined>;

async function toWire(options?: QueryOptions): Promise<WireQueryOptions | undefined> {
  if (!options) return undefined;
  const { rowMode, parsers, blob, ...rest } = options;
  const unsupported = Object.keys(rest).filter((k) => rest[k as keyof typeof rest] !== undefined);
  if (unsupported.length > 0) throw new Error(`pglite proxy: query option(s) ${unsupported.join(", ")} not supported`);
  return {
    rowMode,
    rawTypes: parsers ? Object.keys(parsers).map(Number) : undefined,
    blob: blob ? new Uint8Array(await blob.arrayBuffer()) : undefined,
  };
}

function fromWire(options?: WireQueryOptions): QueryOptions | undefined {
  if (!options) return undefined;
  return {
    rowMode: options.rowMode,
    parsers: options.rawTypes ? Object.fromEntries(options.rawTypes.map((t) => [t, (value: string) => value])) : undefined,
    blob: options.blob ? new Blob([options.blob as Uint8Array<ArrayBuffer>]) : undefined,
  };
}

/** Database errors keep their fields (code, detail, constraint, ...) across the thread boundary. */
function errorToWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { message: String(err) };
  const fields: WireError = { message: err.message, name: err.name };
  for (const [key, value] of Object.entries(err)) {
    if (["string", "number", "boolean"].includes(typeof value)) fields[key] = value as string | number | boolean;
  }
  return fields;
}

function errorFromWire(wire: WireError): Error {
  return Object.assign(new Error(wire.message), wire);
}

/**
 * Serves a PGlite client to one guest. Returns a function that rolls back the guest's open
 * transactions: call it when the guest dies, or PGlite's lock would be held forever.
 */
export function servePglite(client: PgliteClient, port: MessagePort): () => Promise<void> {
  let nextTx = 1;
  const open = new Map<number, { tx: Pick<Transaction, "query" | "exec">; end(commit: boolean): Promise<void> }>();

  async function begin(): Promise<number> {
    const id = nextTx++;
    await new Promise<void>((opened, failed) => {
      const done = client
        .transaction(
          (tx) =>
            new Promise<void>((commit, rollback) => {
              const end = async (ok: boolean) => {
                if (ok) commit();
                else rollback(new Error("rolled back by the guest"));
                await (ok ? done : done.catch(() => {}));
              };
              open.set(id, { tx, end });
              opened();
            }),
        )
        .finally(() => open.delete(id));
      done.catch(failed);
    });
    return id;
  }

  const target = (tx?: number) => {
    if (tx === undefined) return client;
    const entry = open.get(tx);
    if (!entry) throw new Error(`pglite proxy: transaction ${tx} is not open`);
    return entry.tx;
  };

  async function handle(req: Request): Promise<unknown> {
    switch (req.op) {
      case "query":
        return target(req.tx).query(req.text, req.params, fromWire(req.options));
      case "exec":
        return target(req.tx).exec(req.text);
      case "begin":
        return begin();
      case "end": {
        const entry = open.get(req.tx);
        if (!entry) throw new Error(`pglite proxy: transaction ${req.tx} is not open`);
        await entry.end(req.commit);
        return null;
      }
    }
  }

  port.on("message", (req: Request) => {
    handle(req).then(
      (result) => port.postMessage({ id: req.id, ok: true, result } satisfies Reply),
      (err) => port.postMessage({ id: req.id, ok: false, error: errorToWire(err) } satisfies Reply),
    );
  });
  return async () => {
    await Promise.all([...open.values()].map((entry) => entry.end(false)));
  };
}

interface ProxyQueries {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(text: string): Promise<Results[]>;
}

/** The guest side: the part of PGlite's client that Pretext, drizzle and pg-boss use. */
export class PgliteProxy implements ProxyQueries {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(private readonly port: MessagePort) {
    port.on("message", (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(errorFromWire(reply.error));
    });
  }

  private call<T>(req: Unnumbered<Request>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ ...req, id });
    });
  }

  private queries(tx?: number): ProxyQueries {
    return {
      query: async <T>(text: string, params?: unknown[], options?: QueryOptions) =>
        this.call<Results<T>>({ op: "query", tx, text, params, options: await toWire(options) }),
      exec: (text: string) => this.call<Results[]>({ op: "exec", tx, text }),
    };
  }

  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.queries().query<T>(text, params, options);
  }

  exec(text: string): Promise<Results[]> {
    return this.queries().exec(text);
  }

  async transaction<T>(fn: (tx: ProxyQueries & { closed: boolean }) => Promise<T>): Promise<T> {
    const tx = await this.call<number>({ op: "begin" });
    const client = { ...this.queries(tx), closed: false };
    try {
      const result = await fn(client);
      client.closed = true;
      await this.call({ op: "end", tx, commit: true });
      return result;
    } catch (err) {
      if (!client.closed) await this.call({ op: "end", tx, commit: false }).catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    this.port.close();
  }
}
