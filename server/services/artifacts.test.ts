import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDirectoryStore } from "@/server/storage/artifact-store";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { listArtifacts, readArtifactBytes, uploadArtifact } from "./artifacts";
import { createRun } from "./runs";

describe.each(DATABASE_KINDS)("artifact uploads on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  let store: LocalDirectoryStore;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    dir = await mkdtemp(path.join(tmpdir(), "pretext-artifacts-"));
    store = new LocalDirectoryStore(dir);
  });
  afterAll(async () => {
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const rejected = (p: Promise<unknown>) => p.then(() => null, (e: { status?: number; message: string }) => e);
  const bytes = (...b: number[]) => new Uint8Array(b);

  it("refuses a second upload under the same name unless overwrite, and keeps the first", async () => {
    const run = await createRun(t.database, { experiment: "artifacts" });
    await uploadArtifact(t.database, run.id, "model.bin", "file", bytes(1, 2), { store });
    const again = await rejected(uploadArtifact(t.database, run.id, "model.bin", "file", bytes(3), { store }));
    expect(again?.status).toBe(409);
    expect(again?.message).toMatch(/name: run \d+ already has an artifact "model.bin"; upload with overwrite \(\?overwrite=true\)/);
    expect(await readArtifactBytes(t.database, run.id, "model.bin", store)).toEqual(bytes(1, 2));
    const replaced = await uploadArtifact(t.database, run.id, "model.bin", "file", bytes(3), { store, overwrite: true });
    expect(replaced.bytes).toBe(1);
    expect(await readArtifactBytes(t.database, run.id, "model.bin", store)).toEqual(bytes(3));
  });

  it("refuses an empty upload (400) and keeps what was stored under the name", async () => {
    const run = await createRun(t.database, { experiment: "artifacts" });
    const empty = await rejected(uploadArtifact(t.database, run.id, "empty.bin", "file", Readable.from([]), { store }));
    expect(empty?.status).toBe(400);
    expect(empty?.message).toMatch(/body: the artifact is empty \(0 bytes\)/);
    await uploadArtifact(t.database, run.id, "kept.bin", "file", bytes(9), { store });
    expect((await rejected(uploadArtifact(t.database, run.id, "kept.bin", "file", bytes(), { store, overwrite: true })))?.status).toBe(400);
    expect(await readArtifactBytes(t.database, run.id, "kept.bin", store)).toEqual(bytes(9));
    expect((await listArtifacts(t.database, run.id)).map((a) => a.name)).toEqual(["kept.bin"]);
  });

  it("refuses a name that is a folder of a stored artifact or lies inside one (409), both ways", async () => {
    const run = await createRun(t.database, { experiment: "artifacts" });
    await uploadArtifact(t.database, run.id, "a", "file", bytes(1), { store });
    const inside = await rejected(uploadArtifact(t.database, run.id, "a/b", "file", bytes(2), { store }));
    expect(inside?.status).toBe(409);
    expect(inside?.message).toMatch(/name: "a\/b" lies inside run \d+'s artifact "a", which is a file/);
    await uploadArtifact(t.database, run.id, "c/d/e", "file", bytes(3), { store });
    for (const name of ["c", "c/d"]) {
      const folder = await rejected(uploadArtifact(t.database, run.id, name, "file", bytes(4), { store, overwrite: true }));
      expect(folder?.status).toBe(409);
      expect(folder?.message).toMatch(/is a folder of run \d+'s artifact "c\/d\/e"/);
    }
    expect(await readArtifactBytes(t.database, run.id, "a", store)).toEqual(bytes(1));
    expect(await readArtifactBytes(t.database, run.id, "c/d/e", store)).toEqual(bytes(3));
    // a sibling that merely shares a prefix is fine
    await uploadArtifact(t.database, run.id, "ab", "file", bytes(5), { store });
  });
});
