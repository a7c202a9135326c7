/**
 * How a served encoder is called: the ONNX graph's input and outputs, and how a request's raw
 * values (the units its dataset holds, e.g. pixel values 0-255) become the graph's input.
 * Pretext encoders get theirs from the encoder file; an imported ONNX encoder is registered with one.
 */
import { z } from "zod";
import type { ModelSpec } from "@/drizzle/schema";

export type { ModelSpec };

export const inputLayouts = ["nhwc", "nchw", "flat"] as const;

export const modelSpecSchema = z
  .object({
    /** One sample's shape in the graph's layout, without the batch axis: [28, 28, 1] (nhwc), [1, 28, 28] (nchw), [54] (flat). */
    shape: z.array(z.number().int().positive("must be a positive integer")).min(1, "must have at least one axis").max(3, "must have at most 3 axes"),
    /** Where an image's height, width and channels are in `shape`; "flat" takes vectors only. */
    layout: z.enum(inputLayouts),
    /** x' = (x · scale − mean[c]) / std[c], per channel c. */
    scale: z.number().positive("must be > 0").finite().default(1),
    mean: z.array(z.number().finite()).max(4).optional(),
    std: z.array(z.number().positive("must be > 0").finite()).max(4).optional(),
    /** Names in the ONNX graph. */
    inputName: z.string().min(1).max(200).default("input"),
    embeddingOutput: z.string().min(1).max(200).default("embedding"),
    /** A classification head's class probabilities [n, classes], when the model has one. */
    probabilitiesOutput: z.string().min(1).max(200).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.layout !== "flat" && s.shape.length !== 3) ctx.addIssue({ code: "custom", path: ["shape"], message: `must have 3 axes for layout ${s.layout}` });
    const channels = s.layout === "nhwc" ? s.shape[2] : s.layout === "nchw" ? s.shape[0] : 1;
    for (const key of ["mean", "std"] as const) {
      const v = s[key];
      if (v && v.length !== 1 && v.length !== channels) ctx.addIssue({ code: "custom", path: [key], message: `must have 1 or ${channels} values (one per channel)` });
    }
  }) satisfies z.ZodType<ModelSpec, unknown>;

export type ModelSpecInput = z.input<typeof modelSpecSchema>;

/** Values per sample. */
export const sampleSize = (spec: Pick<ModelSpec, "shape">) => spec.shape.reduce((a, b) => a * b, 1);

/** The spec of a Pretext encoder exported by onnx-export.ts: NHWC images scaled from 0-255 to [0, 1], or vectors as stored. */
export function pretextModelSpec(inputShape: number[], withHead: boolean): ModelSpec {
  const image = inputShape.length === 3;
  return modelSpecSchema.parse({
    shape: image ? inputShape : [inputShape.reduce((a, b) => a * b, 1)],
    layout: image ? "nhwc" : "flat",
    scale: image ? 1 / 255 : 1,
    ...(withHead ? { probabilitiesOutput: "probabilities" } : {}),
  });
}
