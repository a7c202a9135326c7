import * as tf from "@tensorflow/tfjs-core";
import { buildEncoder, encoderSchema, type Encoder, type EncoderConfig } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { decodeTensorFile } from "../models/tensor-file";
import { Rng } from "../rng";

/** The metadata pretraining writes into "encoder.ptx" (see train/pretrain.ts exportEncoder). */
export interface EncoderMeta {
  kind: "pretext-encoder";
  encoder: EncoderConfig;
  inputShape: number[];
  outDim: number;
  method: string;
  dataset: { name: string; checksum: string };
  steps: number;
}

/** A rebuilt encoder whose weights live in its own ParamSet under "encoder/". */
export interface LoadedEncoder {
  meta: EncoderMeta;
  params: ParamSet;
  encoder: Encoder;
  dispose(): void;
}

export function readEncoderMeta(bytes: Uint8Array): EncoderMeta {
  const { meta, tensors } = decodeTensorFile<EncoderMeta>(bytes);
  tf.dispose(Object.values(tensors));
  return checkMeta(meta);
}

/**
 * Rebuilds an encoder from encoder.ptx bytes. `trainable` false freezes it (frozen-encoder
 * protocols); fine-tuning loads a fresh trainable copy per run.
 */
export function loadEncoder(bytes: Uint8Array, trainable: boolean): LoadedEncoder {
  const { meta, tensors } = decodeTensorFile<EncoderMeta>(bytes);
  try {
    checkMeta(meta);
    const params = new ParamSet();
    const encoder = buildEncoder(meta.encoder, meta.inputShape, params, "encoder", new Rng(0));
    params.load(tensors, "encoder/");
    if (!trainable) params.freeze("encoder/");
    return { meta, params, encoder, dispose: () => params.dispose() };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

function checkMeta(meta: EncoderMeta): EncoderMeta {
  if (meta?.kind !== "pretext-encoder") throw new Error(`not an encoder file: metadata kind is ${JSON.stringify(meta?.kind)}, expected "pretext-encoder"`);
  const parsed = encoderSchema.safeParse(meta.encoder);
  if (!parsed.success) throw new Error(`encoder file: invalid encoder config (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  return { ...meta, encoder: parsed.data };
}
