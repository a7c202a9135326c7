import type { ProtocolResult } from "./labeled-data";

/** One trained candidate; `keep` (optional) returns what the caller wants of the winner, e.g. its weights. */
export interface Candidate<K> {
  validationAccuracy: number;
  test(): Promise<number>;
  chosen: Record<string, number>;
  keep?(): Promise<K>;
  dispose(): void;
}

/**
 * Tries each candidate (e.g. a learning rate), keeps the one with the best validation accuracy and
 * reports its test accuracy; ties keep the earlier candidate. Test accuracy of the others is never
 * looked at, so choosing does not leak the test set.
 */
export async function selectByValidation<T, K = never>(candidates: T[], run: (c: T) => Promise<Candidate<K>>): Promise<ProtocolResult & { kept?: K }> {
  let best: (ProtocolResult & { kept?: K }) | null = null;
  for (const candidate of candidates) {
    const trained = await run(candidate);
    try {
      if (!best || trained.validationAccuracy > best.validationAccuracy) {
        best = { accuracy: await trained.test(), validationAccuracy: trained.validationAccuracy, chosen: trained.chosen, kept: await trained.keep?.() };
      }
    } finally {
      trained.dispose();
    }
  }
  if (!best) throw new Error("selectByValidation: no candidates");
  return best;
}
