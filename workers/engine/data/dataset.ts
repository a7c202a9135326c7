import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** What a registered dataset is: enough to recognise it again and to build models for it. */
export interface DatasetDescriptor {
  name: string;
  kind: "image" | "tabular";
  /** sha256 over the source files (relative path + bytes, in sorted path order). */
  checksum: string;
  /** Samples over all parts (train + test). */
  count: number;
  /** Shape of one sample: [h, w, c] for images, [features] for tabular rows. */
  shape: number[];
  hasLabels: boolean;
  classNames?: string[];
  featureNames?: string[];
}

/** Samples stored row-major; uint8 pixel data is scaled to [0, 1] when batched. */
export interface SampleSet {
  x: Uint8Array | Float32Array;
  labels: Int32Array | null;
  count: number;
}

export interface Dataset {
  descriptor: DatasetDescriptor;
  train: SampleSet;
  /** A dataset's own held-out part (e.g. Fashion-MNIST t10k); null when it has none. */
  test: SampleSet | null;
}

export function sampleSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** sha256 over files, each contributing its path relative to `root` and its bytes. */
export async function checksumFiles(root: string, files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(await readFile(file));
  }
  return hash.digest("hex");
}

/** Where datasets live: $PRETEXT_DATA_DIR, else `data/` under $PRETEXT_HOME (default `.pretext`). */
export function dataDir(): string {
  return path.resolve(process.env.PRETEXT_DATA_DIR ?? path.join(process.env.PRETEXT_HOME ?? ".pretext", "data"));
}
