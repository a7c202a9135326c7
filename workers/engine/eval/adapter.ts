import * as tf from "@tensorflow/tfjs-core";
import { dense } from "../models/layers";
import { heNormal, ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { fitStandardizer, rowsTensor, standardize } from "./features";
import { predictClasses } from "./gradient-step";
import type { LabeledData, ProtocolResult } from "./labeled-data";
import { selectByValidation } from "./select-by-validation";
import { accuracy } from "./stats";
import { fitStandardizedHead } from "./probe-head";
import type { EvalSuite, LinearOptions } from "./suite";
import { trainClassifier } from "./train-classifier";

/**
 * Adapter on a frozen encoder (bottleneck adapters of Houlsby et al. 2019,
 * https://arxiv.org/abs/1902.00751): a residual bottleneck MLP h' = h + W₂·relu(W₁·h + b₁) + b₂
 * between the standardized frozen embedding h [n, d] and a linear head [d → c]. W₂ starts at zero and
 * the head at the fitted linear probe (as in LP-FT), so training starts from the probe's accuracy —
 * the first candidate of early stopping — and learns a non-linear correction. Only the adapter and
 * head train (on precomputed embeddings, so it costs no encoder passes); early-stopped on validation.
 */
export async function adapterProtocol(data: LabeledData, o: EvalSuite["adapter"], probe: LinearOptions, seed: number): Promise<ProtocolResult> {
  const s = fitStandardizer(data.features.fit);
  const fit = standardize(data.features.fit, s); // [n, d]
  const val = standardize(data.features.val, s);
  const test = standardize(data.features.test, s);
  const d = fit.d;
  const probeHead = await fitStandardizedHead(fit, data.fit.labels, val, data.val.labels, data.numClasses, probe, seed);
  return selectByValidation(o.lrs, async (lr) => {
    const params = new ParamSet();
    const rng = new Rng(seed).fork("adapter");
    const down = params.add("adapter/down/kernel", heNormal([d, o.bottleneck], d, rng));
    const downBias = params.add("adapter/down/bias", tf.zeros([o.bottleneck]));
    const up = params.add("adapter/up/kernel", tf.zeros([o.bottleneck, d]));
    const upBias = params.add("adapter/up/bias", tf.zeros([d]));
    const head = dense(params, "adapter/head", d, data.numClasses, rng);
    tf.tidy(() => {
      params.get("adapter/head/kernel").assign(tf.tensor2d(probeHead.kernel, [d, data.numClasses]));
      params.get("adapter/head/bias").assign(tf.tensor1d(probeHead.bias));
    });
    const logits = (h: tf.Tensor) => {
      const hidden = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, down as tf.Tensor2D), downBias)); // [b, k]
      return head(tf.add(h as tf.Tensor2D, tf.add(tf.matMul(hidden, up as tf.Tensor2D), upBias))); // [b, c]
    };
    const trained = await trainClassifier(
      {
        groups: [{ vars: params.entries(), lrScale: 1 }],
        numClasses: data.numClasses,
        logits,
        trainInputs: (p) => rowsTensor(fit, p),
        trainLabels: data.fit.labels,
        valInputs: (p) => rowsTensor(val, p),
        valLabels: data.val.labels,
        signal: data.signal,
      },
      { lr, weightDecay: o.weightDecay, batchSize: o.batchSize, steps: Math.min(o.maxSteps, Math.ceil((o.epochs * data.fit.labels.length) / o.batchSize)), evalEvery: o.evalEvery, keep: o.keep, patience: o.patience },
      seed,
    );
    return {
      validationAccuracy: trained.validationAccuracy,
      chosen: { lr, steps: trained.keptStep },
      test: async () => accuracy(await predictClasses(test.n, 4096, (p) => logits(rowsTensor(test, p))), data.test.labels),
      dispose: () => params.dispose(),
    };
  });
}
