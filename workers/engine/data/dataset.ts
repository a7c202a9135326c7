import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
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

/**
 * The folders datasets are read from, in order: $PRETEXT_DATA_DIR when set; otherwise `data/` under
 * $PRETEXT_HOME (default `.pretext`, where downloads go) and then `../shared/data`, a data folder
 * shared by the checkouts beside it. The CLI, the embedded worker and `pretext worker` all use this.
 */
export function dataDirs(): string[] {
  if (process.env.PRETEXT_DATA_DIR) return [path.resolve(process.env.PRETEXT_DATA_DIR)];
  return [path.resolve(process.env.PRETEXT_HOME ?? ".pretext", "data"), path.resolve("../shared/data")];
}

/** Where downloads go: the first data folder. */
export function dataDir(): string {
  return dataDirs()[0];
}

/** `relative` in the first data folder that has it, else in the first one (to be downloaded or reported missing). */
export function dataPath(relative: string): string {
  if (path.isAbsolute(relative)) return relative;
  const found = dataDirs().find((dir) => existsSync(path.join(dir, relative)));
  return path.join(found ?? dataDir(), relative);
}

/**
 * A dataset that is missing or malformed: trying again elsewhere would fail the same way, so a job
 * that meets one fails at once, with this message.
 */
export class DatasetError extends Error {
  override name = "DatasetError";
}

/** Says where the files were looked for, and where to put them. */
export function missingDataMessage(what: string, relative: string): string {
  const dirs = dataDirs();
  return (
    `${what} not found: looked for ${relative} in ${dirs.join(" and ")}. ` +
    `Put it into ${path.join(dirs[0], relative)}${process.env.PRETEXT_DATA_DIR ? "" : " or set PRETEXT_DATA_DIR to the folder that holds it"}.`
  );
}
