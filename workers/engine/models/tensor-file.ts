import * as tf from "@tensorflow/tfjs-core";
import { readTensorFile, writeTensorFile, type RawTensor } from "../../../server/registry/tensor-file-format";

/** The PRTX format (server/registry/tensor-file-format.ts) with tf.Tensors in place of typed arrays. */
export interface DecodedTensorFile<M> {
  meta: M;
  tensors: Record<string, tf.Tensor>;
}

/** Reads the tensors back asynchronously (WebGPU has no synchronous read under Node). */
export async function encodeTensorFile(meta: unknown, tensors: Record<string, tf.Tensor>): Promise<Uint8Array> {
  const raw: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== "float32" && t.dtype !== "int32") throw new Error(`cannot store tensor ${name} of dtype ${t.dtype}`);
    raw[name] = { dtype: t.dtype, shape: t.shape, data: (await t.data()) as Float32Array | Int32Array };
  }
  return writeTensorFile(meta, raw);
}

/** Decodes bytes written by encodeTensorFile; the caller owns (disposes) the returned tensors. */
export function decodeTensorFile<M>(bytes: Uint8Array): DecodedTensorFile<M> {
  const { meta, tensors } = readTensorFile<M>(bytes);
  return { meta, tensors: Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, tf.tensor(t.data, t.shape, t.dtype)])) };
}
