import { gunzipSync } from "node:zlib";
import { readFile } from "node:fs/promises";

/**
 * IDX format (LeCun's MNIST file format, http://yann.lecun.com/exdb/mnist/): a big-endian magic
 * 0x0000TTDD (TT = element type, DD = number of dimensions), DD uint32 sizes, then the data.
 * Only unsigned bytes (TT = 0x08) occur in the MNIST family, so only they are accepted.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, what = "IDX data"): IdxArray {
  if (bytes.length < 4) throw new Error(`malformed IDX file ${what}: ${bytes.length} bytes, too short for a header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`malformed IDX file ${what}: magic must start with two zero bytes, got 0x${hex(bytes.subarray(0, 4))}`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (type !== UBYTE) {
    throw new Error(`unsupported IDX file ${what}: element type 0x${type.toString(16)} (only unsigned byte 0x08 is supported)`);
  }
  if (ndims < 1) throw new Error(`malformed IDX file ${what}: zero dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new Error(`malformed IDX file ${what}: header truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    throw new Error(
      `malformed IDX file ${what}: header says ${dims.join("x")} = ${expected} bytes of data, file has ${actual}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads a .idx or .idx.gz file (gzip detected by its magic bytes) and checks the expected magic. */
export async function readIdxFile(file: string, expectedMagic?: number): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new Error(`malformed IDX file ${file}: gzip data is corrupt (${(err as Error).message})`);
    }
  }
  if (expectedMagic !== undefined && bytes.length >= 4) {
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
    if (magic !== expectedMagic) {
      throw new Error(`malformed IDX file ${file}: magic number ${magic}, expected ${expectedMagic}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Magic numbers of the MNIST family: 2051 = ubyte, 3 dims (images); 2049 = ubyte, 1 dim (labels). */
export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

function hex(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
}
