import { pca } from "../linalg/pca";
import { Rng } from "../rng";
import type { Features } from "./features";

export const EMBEDDING_MAP_ARTIFACT = "embeddings-2d.json";
export const EMBEDDING_MAP_POINTS = 2000;

/**
 * The artifact "embeddings-2d.json" the UI's embedding map renders. `explained_variance` is the
 * share of the embeddings' total variance along each of the two axes (fractions); `class_names[l]`
 * names label l where the dataset names its classes (Fashion-MNIST's "Sneaker", ...).
 */
export interface EmbeddingMap {
  method: "pca";
  encoder: { id?: number; name?: string; version?: number };
  explained_variance: [number, number];
  class_names?: string[];
  points: { x: number; y: number; label: number | null }[];
}

/**
 * PCA of up to `maxPoints` embeddings (a seeded random subset, in row order) onto their first two
 * principal axes, each point with its class label when there is one.
 */
export function embeddingMap(
  features: Features,
  labels: Int32Array | null,
  encoder: EmbeddingMap["encoder"],
  { classNames, maxPoints = EMBEDDING_MAP_POINTS, seed = 0 }: { classNames?: string[]; maxPoints?: number; seed?: number } = {},
): EmbeddingMap {
  const rows = features.n <= maxPoints ? Int32Array.from({ length: features.n }, (_, i) => i) : new Rng(seed).fork("embedding-map").permutation(features.n).slice(0, maxPoints).sort();
  const x = new Float64Array(rows.length * features.d);
  rows.forEach((r, i) => {
    for (let j = 0; j < features.d; j++) x[i * features.d + j] = features.data[r * features.d + j];
  });
  const { explainedVarianceRatio, projected } = pca(x, rows.length, features.d, 2);
  return {
    method: "pca",
    encoder,
    explained_variance: [explainedVarianceRatio[0], explainedVarianceRatio[1]],
    ...(labels && classNames ? { class_names: classNames } : {}),
    points: Array.from(rows, (r, i) => ({ x: projected[2 * i], y: projected[2 * i + 1], label: labels ? labels[r] : null })),
  };
}
