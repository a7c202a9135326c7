import { z } from "zod";

/** Which dataset to load. Relative paths are resolved against $PRETEXT_DATA_DIR. */
export const datasetSpecSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fashion-mnist") }).strict(),
  z.object({ kind: z.literal("idx"), dir: z.string().min(1), name: z.string().min(1).optional() }).strict(),
  z
    .object({
      kind: z.literal("image-folder"),
      dir: z.string().min(1),
      name: z.string().min(1).optional(),
      size: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
      channels: z.union([z.literal(1), z.literal(3)]).default(3),
    })
    .strict(),
  z
    .object({
      kind: z.literal("csv"),
      file: z.string().min(1),
      name: z.string().min(1).optional(),
      labelColumn: z.string().min(1).optional(),
      standardize: z.boolean().default(true),
    })
    .strict(),
]);

export type DatasetSpec = z.infer<typeof datasetSpecSchema>;
