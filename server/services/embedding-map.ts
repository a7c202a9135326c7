/**
 * The embedding map of an evaluation run: a 2-D projection of a sample of the encoder's embeddings,
 * stored as the run's artifact `embeddings-2d.json` and drawn by the UI coloured by label.
 */
import { z } from "zod";

export const EMBEDDING_MAP_ARTIFACT = "embeddings-2d.json";

export const embeddingMapSchema = z.object({
  method: z.string().min(1),
  encoder: z.record(z.string(), z.unknown()),
  /** share of the variance each of the two axes explains */
  explained_variance: z.tuple([z.number(), z.number()]),
  /** names of labels 0, 1, …; absent in maps of unnamed classes and in older artifacts */
  class_names: z.array(z.string()).optional(),
  points: z.array(z.object({ x: z.number(), y: z.number(), label: z.number().int().nullable() })),
});
export type EmbeddingMap = z.infer<typeof embeddingMapSchema>;
