import { createHash } from "node:crypto";
import { sampleSize, type SampleSet } from "../data/dataset";

/** sha1 of each sample's bytes (its pixels or feature values): [n] hex digests. */
export function contentHashes(set: SampleSet, shape: number[]): string[] {
  const size = sampleSize(shape);
  const bytesPer = size * set.x.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(set.x.buffer, set.x.byteOffset, set.x.byteLength);
  return Array.from({ length: set.count }, (_, i) => createHash("sha1").update(bytes.subarray(i * bytesPer, (i + 1) * bytesPer)).digest("hex"));
}

export interface DuplicateGroups {
  /** Groups of ≥ 2 identical samples (indices). */
  groups: number[][];
  /** Samples that are a copy of an earlier one: Σ (group size − 1). */
  redundant: number;
}

/** Exact duplicates within one part: samples with the same content hash. */
export function exactDuplicates(hashes: string[]): DuplicateGroups {
  const byHash = new Map<string, number[]>();
  hashes.forEach((h, i) => {
    const list = byHash.get(h);
    if (list) list.push(i);
    else byHash.set(h, [i]);
  });
  const groups = [...byHash.values()].filter((g) => g.length > 1);
  return { groups, redundant: groups.reduce((a, g) => a + g.length - 1, 0) };
}

/** Test samples whose exact content also occurs in the training part: [testIndex, trainIndex]. */
export function exactOverlap(trainHashes: string[], testHashes: string[]): [number, number][] {
  const first = new Map<string, number>();
  trainHashes.forEach((h, i) => {
    if (!first.has(h)) first.set(h, i);
  });
  return testHashes.flatMap((h, i) => (first.has(h) ? [[i, first.get(h)!] as [number, number]] : []));
}
