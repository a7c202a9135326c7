import * as tf from "@tensorflow/tfjs-core";

/**
 * Named tensors + JSON metadata in one byte array:
 * "PRTX" | u32 version | u32 header bytes | header JSON | zero padding to 4 | raw little-endian data.
 * The header lists {name, dtype, shape, offset, length} per tensor (offset/length in elements' bytes).
 */
const MAGIC = "PRTX";
const VERSION = 1;

interface TensorEntry {
  name: string;
  dtype: "float32" | "int32";
  shape: number[];
  offset: number;
  bytes: number;
}

export interface DecodedTensorFile<M> {
  meta: M;
  tensors: Record<string, tf.Tensor>;
}

export function encodeTensorFile(meta: unknown, tensors: Record<string, tf.Tensor>): Uint8Array {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== "float32" && t.dtype !== "int32") throw new Error(`cannot store tensor ${name} of dtype ${t.dtype}`);
    const data = t.dataSync() as Float32Array | Int32Array;
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    entries.push({ name, dtype: t.dtype, shape: t.shape, offset, bytes: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: entries }));
  const headerPadded = Math.ceil((12 + header.length) / 4) * 4;
  const out = new Uint8Array(headerPadded + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  for (const [i, chunk] of chunks.entries()) out.set(chunk, headerPadded + entries[i].offset);
  return out;
}

/** Decodes bytes written by encodeTensorFile; the caller owns (disposes) the returned tensors. */
export function decodeTensorFile<M>(bytes: Uint8Array): DecodedTensorFile<M> {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error("not a Pretext checkpoint: missing PRTX magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`unsupported checkpoint version ${version} (expected ${VERSION})`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    meta: M;
    tensors: TensorEntry[];
  };
  const base = Math.ceil((12 + headerLength) / 4) * 4;
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of header.tensors) {
    const raw = bytes.slice(base + e.offset, base + e.offset + e.bytes);
    const data = e.dtype === "float32" ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
    tensors[e.name] = tf.tensor(data, e.shape, e.dtype);
  }
  return { meta: header.meta, tensors };
}
