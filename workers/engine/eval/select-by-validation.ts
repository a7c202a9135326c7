import type { ProtocolResult } from "./labeled-data";

/** One trained candidate. */
export interface Candidate {
  validationAccuracy: number;
  test(): Promise<number>;
  chosen: Record<string, number>;
  dispose(): void;
}

/**
 * Tries each candidate (e.g. a learning rate), keeps the one with the best validation accuracy and
 * reports its test accuracy; ties keep the earlier candidate. Test accuracy of the others is never
 * looked at, so choosing does not leak the test set.
 */
export async function selectByValidation<T>(candidates: T[], run: (c: T) => Promise<Candidate>): Promise<ProtocolResult> {
  let best: ProtocolResult | null = null;
  for (const candidate of candidates) {
    const trained = await run(candidate);
    try {
      if (!best || trained.validationAccuracy > best.validationAccuracy) {
        best = { accuracy: await trained.test(), validationAccuracy: trained.validationAccuracy, chosen: trained.chosen };
      }
    } finally {
      trained.dispose();
    }
  }
  if (!best) throw new Error("selectByValidation: no candidates");
  return best;
}
