/** Runs a monitor's tests on a reference and a current window and returns the figures each stores. */
import type { DriftTestName } from "@/drizzle/schema";
import { classifierDrift } from "./classifier";
import { breaches, FIGURES } from "./figures";
import { ks2samp } from "./ks";
import { mmdTest, type Samples } from "./mmd";
import { psi } from "./psi";

export interface Detection {
  figures: Record<string, number>;
  /** the tests whose verdict figure is past its threshold */
  flagged: DriftTestName[];
}

const column = (s: Samples, k: number) => Float64Array.from({ length: s.rows }, (_, i) => s.data[i * s.dim + k]);

export function detectDrift(reference: Samples, current: Samples, tests: readonly DriftTestName[], seed = 0): Detection {
  if (reference.dim !== current.dim) throw new Error(`reference has ${reference.dim} dimensions, the window ${current.dim}`);
  const figures: Record<string, number> = {};
  if (tests.includes("mmd")) {
    const r = mmdTest(reference, current, { seed });
    figures["mmd.statistic"] = r.mmd2;
    figures["mmd.p_value"] = r.pValue;
  }
  if (tests.includes("ks") || tests.includes("psi")) {
    const dim = reference.dim;
    let minP = 1;
    let ksDrifted = 0;
    let psiMax = 0;
    let psiSum = 0;
    let psiDrifted = 0;
    for (let k = 0; k < dim; k++) {
      const [r, c] = [column(reference, k), column(current, k)];
      if (tests.includes("ks")) {
        const p = ks2samp(r, c).pValue;
        minP = Math.min(minP, p);
        if (p < 0.05 / dim) ksDrifted++;
      }
      if (tests.includes("psi")) {
        const v = psi(r, c);
        psiMax = Math.max(psiMax, v);
        psiSum += v;
        if (v >= 0.1) psiDrifted++;
      }
    }
    if (tests.includes("ks")) {
      figures["ks.p_value"] = Math.min(1, minP * dim);
      figures["ks.drifted_share"] = ksDrifted / dim;
    }
    if (tests.includes("psi")) {
      figures["psi.drifted_share"] = psiDrifted / dim;
      figures["psi.max"] = psiMax;
      figures["psi.mean"] = psiSum / dim;
    }
  }
  if (tests.includes("classifier")) figures["classifier.auc"] = classifierDrift(reference, current, { seed }).auc;
  const flagged = tests.filter((test) =>
    Object.entries(figures).some(([name, value]) => {
      const info = FIGURES[name];
      return info.test === test && info.verdict !== undefined && breaches(value, info.verdict);
    }),
  );
  return { figures, flagged };
}
