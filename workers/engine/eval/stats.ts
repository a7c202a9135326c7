/** Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** Fraction of positions where the prediction equals the label. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new Error(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return labels.length === 0 ? Number.NaN : hits / labels.length;
}
