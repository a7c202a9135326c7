import { fitStandardizer, rowsTensor, selectRows, standardize, type Features } from "../eval/features";
import * as tf from "@tensorflow/tfjs-core";
import { softmaxLogits, trainSoftmaxRegression } from "../eval/softmax-regression";
import { Rng } from "../rng";

/**
 * Area under the ROC curve from scores of positives and negatives: the Mann–Whitney U statistic
 * U/(n₊·n₋) = P(score₊ > score₋) + ½·P(tie) (Hanley & McNeil 1982).
 */
export function auc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const all = [...Array.from(positives, (s) => ({ s, pos: 1 })), ...Array.from(negatives, (s) => ({ s, pos: 0 }))].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const midRank = (i + j + 1) / 2; // ranks i+1..j share their mean
    for (let t = i; t < j; t++) if (all[t].pos) rankSumPos += midRank;
    i = j;
  }
  const p = positives.length;
  const q = negatives.length;
  return (rankSumPos - (p * (p + 1)) / 2) / (p * q);
}

/**
 * Domain-classifier two-sample test (Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample
 * Tests", https://arxiv.org/abs/1610.06545): a logistic regression learns to tell the pool [m, d]
 * from the target [n, d] on half of each; its AUC on the other half is ≈ 0.5 when there is no
 * domain gap and → 1 as the gap grows.
 */
export async function domainClassifierAuc(pool: Features, target: Features, seed: number): Promise<number> {
  const rng = new Rng(seed).fork("domain-classifier");
  const halves = (f: Features) => {
    const order = rng.permutation(f.n);
    const cut = Math.floor(f.n / 2);
    return { fit: selectRows(f, order.subarray(0, cut)), held: selectRows(f, order.subarray(cut)) };
  };
  const p = halves(pool);
  const t = halves(target);
  const fit = concatRows(p.fit, t.fit);
  const labels = Int32Array.from({ length: fit.n }, (_, i) => (i < p.fit.n ? 0 : 1));
  const s = fitStandardizer(fit);
  const model = trainSoftmaxRegression(standardize(fit, s), labels, { numClasses: 2, l2: 1e-3, lr: 0.01, batchSize: 512, steps: 500, seed });
  try {
    const score = (f: Features) =>
      tf.tidy(() => {
        const logits = softmaxLogits(model, rowsTensor(standardize(f, s), Int32Array.from({ length: f.n }, (_, i) => i)));
        return tf.sub(tf.slice(logits, [0, 1], [-1, 1]), tf.slice(logits, [0, 0], [-1, 1])).dataSync(); // log-odds of "target"
      });
    return auc(score(t.held), score(p.held));
  } finally {
    model.dispose();
  }
}

function concatRows(a: Features, b: Features): Features {
  const data = new Float32Array((a.n + b.n) * a.d);
  data.set(a.data, 0);
  data.set(b.data, a.n * a.d);
  return { data, n: a.n + b.n, d: a.d };
}
