import { fitStandardizer, foldStandardizer, rowsTensor, selectRows, standardize, type Features } from "./features";
import { predictClasses } from "./gradient-step";
import { pick, stratifiedFolds, stratifiedHoldout } from "./holdout";
import { softmaxLogits, stepsFor, trainSoftmaxRegression } from "./softmax-regression";
import { accuracy } from "./stats";
import type { LinearOptions } from "./suite";

export interface LinearProbeOptions extends LinearOptions {
  numClasses: number;
  validationFraction: number;
  seed: number;
}

export interface LinearProbeResult {
  accuracy: number;
  /** The λ chosen on the validation split. */
  l2: number;
  validationAccuracy: number;
  /** The refitted model on raw features (standardizer folded in): logits = x·kernel + bias, kernel [d, c] row-major. */
  head: { kernel: Float32Array; bias: Float32Array };
}

/**
 * Linear probe (the standard SSL protocol, e.g. SimCLR §4; Kolesnikov et al. 2019): multinomial
 * logistic regression on standardized frozen features. λ is chosen from `l2Grid` by validation
 * accuracy — mean over stratified `cvFolds`-fold cross-validation while the labeled set has at most
 * `cvMaxRows` rows (at 1 % labels one validation split holds ≈ 6 samples per class, too few to
 * choose by), a single stratified split above that — and the model is then refitted on all labeled
 * rows with that λ. train: [n, d] with labels [n]; test: [m, d] with labels [m].
 */
export async function linearProbe(train: Features, trainLabels: Int32Array, test: Features, testLabels: Int32Array, o: LinearProbeOptions): Promise<LinearProbeResult> {
  const splits = train.n <= o.cvMaxRows ? stratifiedFolds(trainLabels, o.cvFolds, o.seed) : [stratifiedHoldout(trainLabels, o.validationFraction, o.seed)];
  let best = { l2: o.l2Grid[0], validationAccuracy: -1 };
  for (const l2 of o.l2Grid) {
    let sum = 0;
    for (const { fit, val } of splits) sum += (await fitAndScore(selectRows(train, fit), pick(trainLabels, fit), selectRows(train, val), pick(trainLabels, val), l2, o)).accuracy;
    const validationAccuracy = sum / splits.length;
    if (validationAccuracy > best.validationAccuracy) best = { l2, validationAccuracy };
  }
  const { accuracy: testAccuracy, head } = await fitAndScore(train, trainLabels, test, testLabels, best.l2, o);
  return { accuracy: testAccuracy, ...best, head };
}

/** Standardizes with statistics of `train`, fits with λ = l2, returns accuracy on `evalSet` and the folded head. */
async function fitAndScore(train: Features, trainLabels: Int32Array, evalSet: Features, evalLabels: Int32Array, l2: number, o: LinearProbeOptions): Promise<{ accuracy: number; head: LinearProbeResult["head"] }> {
  const s = fitStandardizer(train);
  const xe = standardize(evalSet, s);
  const model = trainSoftmaxRegression(standardize(train, s), trainLabels, { numClasses: o.numClasses, l2, lr: o.lr, batchSize: o.batchSize, steps: stepsFor(train.n, o), seed: o.seed });
  try {
    const predicted = await predictClasses(evalSet.n, 4096, (p) => softmaxLogits(model, rowsTensor(xe, p)));
    return { accuracy: accuracy(predicted, evalLabels), head: foldStandardizer(s, (await model.w.data()) as Float32Array, (await model.b.data()) as Float32Array) };
  } finally {
    model.dispose();
  }
}
