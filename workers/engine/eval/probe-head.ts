import { fitStandardizer, foldStandardizer, rowsTensor, standardize, type Features } from "./features";
import { predictClasses } from "./gradient-step";
import { softmaxLogits, stepsFor, trainSoftmaxRegression } from "./softmax-regression";
import { accuracy } from "./stats";
import type { LinearOptions } from "./suite";

/** A linear head on raw (unstandardized) features: logits = h·kernel + bias, kernel [d, c] row-major. */
export interface LinearHead {
  kernel: Float32Array;
  bias: Float32Array;
  d: number;
  c: number;
  l2: number;
  validationAccuracy: number;
}

/**
 * The linear-probe head of LP-FT (Kumar et al. 2022, https://arxiv.org/abs/2202.10054): softmax
 * regression on standardized frozen features of the fitting rows, λ from `o.l2Grid` chosen on the
 * validation rows. The standardization is folded into the weights (W' = W/σ, b' = b − (μ/σ)·W) so
 * the head applies to the encoder's output directly and fine-tuning starts at the probe's accuracy.
 */
export async function fitProbeHead(fit: Features, fitLabels: Int32Array, val: Features, valLabels: Int32Array, numClasses: number, o: LinearOptions, seed: number): Promise<LinearHead> {
  const s = fitStandardizer(fit);
  const head = await fitStandardizedHead(standardize(fit, s), fitLabels, standardize(val, s), valLabels, numClasses, o, seed);
  return { ...head, ...foldStandardizer(s, head.kernel, head.bias) };
}

/** The same probe head for features that are already standardized (xf: fitting rows, xv: validation rows). */
export async function fitStandardizedHead(xf: Features, fitLabels: Int32Array, xv: Features, valLabels: Int32Array, numClasses: number, o: LinearOptions, seed: number): Promise<LinearHead> {
  let best: LinearHead | null = null;
  for (const l2 of o.l2Grid) {
    const model = trainSoftmaxRegression(xf, fitLabels, { numClasses, l2, lr: o.lr, batchSize: o.batchSize, steps: stepsFor(xf.n, o), seed });
    try {
      const validationAccuracy = accuracy(await predictClasses(xv.n, 4096, (p) => softmaxLogits(model, rowsTensor(xv, p))), valLabels);
      if (best && validationAccuracy <= best.validationAccuracy) continue;
      best = { kernel: Float32Array.from(await model.w.data()), bias: Float32Array.from(await model.b.data()), d: xf.d, c: numClasses, l2, validationAccuracy };
    } finally {
      model.dispose();
    }
  }
  if (!best) throw new Error("fitProbeHead: empty l2Grid");
  return best;
}
