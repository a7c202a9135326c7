import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { IDX_IMAGES_MAGIC, parseIdx, readIdxFile } from "./idx";

/** IDX bytes: magic 0x0000 08 <ndims>, big-endian sizes, data. */
function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, (type << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...header, ...data]);
}

describe("IDX loader", () => {
  it("parses dimensions and data", () => {
    const a = parseIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(a.dims).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("rejects bad magic, unsupported types and truncated data", () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]))).toThrow(/magic must start with two zero bytes/);
    expect(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d))).toThrow(/element type 0xd/);
    expect(() => parseIdx(idx([3, 2], [1, 2, 3]))).toThrow(/header says 3x2 = 6 bytes of data, file has 3/);
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(/too short/);
  });

  it("reads gzip files and checks the expected magic number", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-idx-"));
    const labels = path.join(dir, "labels-idx1-ubyte.gz");
    writeFileSync(labels, gzipSync(idx([3], [7, 8, 9])));
    expect(Array.from((await readIdxFile(labels)).data)).toEqual([7, 8, 9]);
    await expect(readIdxFile(labels, IDX_IMAGES_MAGIC)).rejects.toThrow(/magic number 2049, expected 2051/);
    const corrupt = path.join(dir, "corrupt.gz");
    writeFileSync(corrupt, gzipSync(idx([3], [7, 8, 9])).subarray(0, 12));
    await expect(readIdxFile(corrupt)).rejects.toThrow(/gzip data is corrupt/);
  });
});
