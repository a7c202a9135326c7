/**
 * Where artifact bytes live. The local directory store is the default; an S3-compatible store
 * only has to implement this interface.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PretextError } from "@/server/errors";

export interface ArtifactStore {
  /**
   * Streams `data` to `key`, hashing as it goes; fails with 413 past `maxBytes`, with 400 when `data`
   * is empty, and keeps nothing (what `key` held before stays) when it fails.
   */
  put(key: string, data: Readable, maxBytes: number): Promise<{ bytes: number; sha256: string }>;
  get(key: string): Promise<{ stream: Readable; bytes: number }>;
  delete(key: string): Promise<void>;
}

export class LocalDirectoryStore implements ArtifactStore {
  constructor(readonly root: string) {}

  /** Keys are built from validated names, but the store still refuses any path outside its root. */
  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new PretextError(400, `artifact key ${key} escapes the store`);
    return full;
  }

  async put(key: string, data: Readable, maxBytes: number) {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === "ENOTDIR" || err.code === "EEXIST" ? new PretextError(409, `name: ${key} would put a file where a file of that name is stored`) : err;
    });
    const temp = `${target}.${randomUUID()}.partial`;
    const hash = createHash("sha256");
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) return done(new PretextError(413, `artifact: larger than the limit of ${maxBytes} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(data, meter, createWriteStream(temp));
      if (bytes === 0) throw new PretextError(400, "body: the artifact is empty (0 bytes); an artifact needs at least one byte");
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      if ((err as NodeJS.ErrnoException).code === "EISDIR") throw new PretextError(409, `name: ${key} is a folder of other artifacts`);
      throw err;
    }
    return { bytes, sha256: hash.digest("hex") };
  }

  async get(key: string) {
    const file = this.pathOf(key);
    const { size } = await stat(file);
    return { stream: createReadStream(file), bytes: size };
  }

  async delete(key: string) {
    await rm(this.pathOf(key), { force: true });
  }
}
