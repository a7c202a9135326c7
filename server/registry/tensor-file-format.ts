/**
 * The Pretext tensor file (encoder.ptx, head.ptx, training checkpoints): named tensors + JSON
 * metadata in one byte array, read and written without TensorFlow.js so the server can use it too:
 * "PRTX" | u32 version | u32 header bytes | header JSON | zero padding to 4 | raw little-endian data.
 * The header lists {name, dtype, shape, offset, bytes} per tensor (offset from the data start).
 */
import type { z } from "zod";
import { PretextError } from "../errors";

const MAGIC = "PRTX";
const VERSION = 1;

export type TensorDtype = "float32" | "int32";

export interface RawTensor {
  dtype: TensorDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TensorFile<M> {
  meta: M;
  tensors: Record<string, RawTensor>;
}

interface TensorEntry {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  offset: number;
  bytes: number;
}

export function writeTensorFile(meta: unknown, tensors: Record<string, RawTensor>): Uint8Array {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    entries.push({ name, dtype: t.dtype, shape: t.shape, offset, bytes: t.data.byteLength });
    offset += t.data.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: entries }));
  const base = Math.ceil((12 + header.length) / 4) * 4;
  const out = new Uint8Array(base + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  for (const [i, t] of Object.values(tensors).entries()) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), base + entries[i].offset);
  return out;
}

/** Whether `bytes` start as a tensor file does (the format's magic). */
export function isTensorFile(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === MAGIC;
}

/** Reads bytes written by writeTensorFile; a file that is not one fails with PretextError 400. */
export function readTensorFile<M>(bytes: Uint8Array): TensorFile<M> {
  if (bytes.length < 12 || !isTensorFile(bytes)) {
    throw new PretextError(400, "not a Pretext tensor file: missing PRTX magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new PretextError(400, `unsupported tensor file version ${version} (expected ${VERSION})`);
  const headerLength = view.getUint32(8, true);
  const base = Math.ceil((12 + headerLength) / 4) * 4;
  let header: { meta: M; tensors: TensorEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw new PretextError(400, "not a Pretext tensor file: unreadable header");
  }
  if (!Array.isArray(header?.tensors)) throw new PretextError(400, "not a Pretext tensor file: the header lists no tensors");
  const tensors: Record<string, RawTensor> = {};
  for (const e of header.tensors) {
    if ((e?.dtype !== "float32" && e?.dtype !== "int32") || !Number.isInteger(e.offset) || !Number.isInteger(e.bytes) || e.offset < 0 || e.bytes % 4 !== 0) {
      throw new PretextError(400, `not a Pretext tensor file: bad entry for tensor ${JSON.stringify(e?.name)}`);
    }
    if (base + e.offset + e.bytes > bytes.length) throw new PretextError(400, `truncated tensor file: ${e.name} ends past the end of the file`);
    // a copy (Buffer.slice would share memory): the typed array then starts 4-byte aligned and owns its buffer
    const raw = new Uint8Array(bytes.subarray(base + e.offset, base + e.offset + e.bytes)).buffer;
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: e.dtype === "float32" ? new Float32Array(raw) : new Int32Array(raw) };
  }
  return { meta: header.meta, tensors };
}

/**
 * Reads the tensor file a request sent as `field` and checks its metadata with `metaSchema`;
 * every failure is PretextError(400, "<field>…: reason"), e.g. "head.meta.inputDim: …".
 */
export function readTensorFileField<S extends z.ZodType>(field: string, bytes: Uint8Array, metaSchema: S): TensorFile<z.output<S>> {
  let file: TensorFile<unknown>;
  try {
    file = readTensorFile<unknown>(bytes);
  } catch (err) {
    throw err instanceof PretextError ? new PretextError(400, `${field}: ${err.message}`) : err;
  }
  const parsed = metaSchema.safeParse(file.meta);
  if (!parsed.success) throw new PretextError(400, parsed.error.issues.map((i) => `${[field, "meta", ...i.path.map(String)].join(".")}: ${i.message}`).join("; "));
  return { meta: parsed.data, tensors: file.tensors };
}

/** The float32 tensor `name` of a file read by readTensorFileField, which must have `shape`. */
export function float32Tensor(field: string, file: TensorFile<unknown>, name: string, shape: number[]): Float32Array {
  const t = file.tensors[name];
  if (!t || t.dtype !== "float32" || t.shape.join("x") !== shape.join("x")) {
    throw new PretextError(400, `${field}: tensor ${name} must be float32 [${shape}], got ${t ? `${t.dtype} [${t.shape}]` : "none"}`);
  }
  return t.data as Float32Array;
}
