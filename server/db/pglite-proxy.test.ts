/** The PGlite proxy over a MessagePort: results, errors with their fields, transactions, COPY from a blob. */
import { MessageChannel } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteProxy, servePglite } from "./pglite-proxy";

describe("PgliteProxy", () => {
  let host: PGlite;
  let proxy: PgliteProxy;
  let rollbackOpen: () => Promise<void>;
  beforeAll(async () => {
    host = new PGlite();
    await host.exec("create table t (id int primary key, note text, at timestamptz default now())");
    const { port1, port2 } = new MessageChannel();
    rollbackOpen = servePglite(host, port1);
    proxy = new PgliteProxy(port2);
  });
  afterAll(async () => {
    await proxy.close();
    await host.close();
  });

  it("returns rows, and keeps the raw text of the types a caller asks to keep", async () => {
    await proxy.query("insert into t (id, note) values ($1, $2)", [1, "one"]);
    const rows = await proxy.query<{ id: number; note: string; at: unknown }>("select * from t where id = $1", [1]);
    expect(rows.rows[0]).toMatchObject({ id: 1, note: "one" });
    expect(rows.rows[0].at).toBeInstanceOf(Date);
    const raw = await proxy.query<[number, string, unknown]>("select * from t", [], { rowMode: "array", parsers: { 1184: (v: string) => v } });
    expect(typeof raw.rows[0][2]).toBe("string");
  });

  it("throws database errors with their code and detail", async () => {
    const err = await proxy.query("insert into t (id) values (1)").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: "23505", message: expect.stringMatching(/duplicate key/) });
  });

  it("commits a transaction, and rolls one back when its function throws", async () => {
    await proxy.transaction(async (tx) => {
      await tx.query("insert into t (id, note) values (2, 'two')");
    });
    await expect(
      proxy.transaction(async (tx) => {
        await tx.query("insert into t (id, note) values (3, 'three')");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect((await host.query<{ id: number }>("select id from t order by id")).rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("copies rows from a blob inside a transaction", async () => {
    await proxy.transaction((tx) => tx.query("COPY t (id, note) FROM '/dev/blob'", [], { blob: new Blob(["4\tfour\n5\tfive\n"]) }));
    expect((await host.query("select note from t where id >= 4 order by id")).rows).toEqual([{ note: "four" }, { note: "five" }]);
  });

  it("releases the host's lock when a guest dies inside a transaction", async () => {
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    void proxy
      .transaction(async (tx) => {
        await tx.query("insert into t (id, note) values (6, 'six')");
        opened();
        await new Promise(() => {}); // the guest never ends it
      })
      .catch(() => {});
    await open;
    await rollbackOpen();
    expect((await host.query("select count(*)::int as n from t where id = 6")).rows).toEqual([{ n: 0 }]);
  });
});
