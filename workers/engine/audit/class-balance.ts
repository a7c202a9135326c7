export interface ClassBalance {
  counts: number[];
  /** Largest class count / smallest (∞ when a class is empty). */
  imbalanceRatio: number;
  /** Shannon entropy of the class distribution / log(classes): 1 = perfectly balanced. */
  normalizedEntropy: number;
}

/** Class counts of labels in 0..numClasses−1 and two summaries of how balanced they are. */
export function classBalance(labels: Int32Array, numClasses: number): ClassBalance {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]++;
  const total = labels.length;
  let entropy = 0;
  for (const c of counts) if (c > 0) entropy -= (c / total) * Math.log(c / total);
  const min = Math.min(...counts);
  return {
    counts,
    imbalanceRatio: min === 0 ? Number.POSITIVE_INFINITY : Math.max(...counts) / min,
    normalizedEntropy: numClasses > 1 ? entropy / Math.log(numClasses) : 1,
  };
}
