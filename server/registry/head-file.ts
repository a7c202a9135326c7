/**
 * head.ptx: a classification head on an encoder's output z [n, inputDim] — logits = z·kernel + bias —
 * that an evaluation fits (the linear probe, its standardizer folded in) and onnx-export.ts appends.
 */
import { z } from "zod";
import { float32Tensor, readTensorFileField, writeTensorFile } from "./tensor-file-format";

export const HEAD_ARTIFACT = "head.ptx";

const headMetaSchema = z.object({
  kind: z.literal("pretext-head"),
  method: z.string(),
  numClasses: z.number().int().positive(),
  labelFraction: z.number().positive().max(1),
  seed: z.number().int(),
  inputDim: z.number().int().positive(),
});

export type HeadMeta = z.infer<typeof headMetaSchema>;

export interface LinearHeadFile {
  meta: HeadMeta;
  /** [inputDim, numClasses], row-major. */
  kernel: Float32Array;
  /** [numClasses]. */
  bias: Float32Array;
}

export function writeHeadFile({ meta, kernel, bias }: LinearHeadFile): Uint8Array {
  return writeTensorFile(meta, {
    "head/kernel": { dtype: "float32", shape: [meta.inputDim, meta.numClasses], data: kernel },
    "head/bias": { dtype: "float32", shape: [meta.numClasses], data: bias },
  });
}

/** Reads and checks head.ptx bytes sent as request field `field`; failures are PretextError(400, "<field>…: reason"). */
export function readHeadFile(bytes: Uint8Array, field = "head"): LinearHeadFile {
  const file = readTensorFileField(field, bytes, headMetaSchema);
  const { inputDim, numClasses } = file.meta;
  return {
    meta: file.meta,
    kernel: float32Tensor(field, file, "head/kernel", [inputDim, numClasses]),
    bias: float32Tensor(field, file, "head/bias", [numClasses]),
  };
}
