import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeAugmenter } from "../augment/augmenter";
import { initBackend } from "../backend";
import { createMaskedModeling } from "../methods/masked-modeling";
import type { StepContext, Views } from "../methods/method";
import { buildEncoder } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { accumulateGradients } from "./accumulate-gradients";
import { createOptimizer } from "./create-optimizer";

beforeAll(async () => {
  await initBackend("cpu");
});

/** A masked-modeling model on 16-feature rows, initialized from seed 7. */
function buildModel() {
  const rng = new Rng(7);
  const params = new ParamSet();
  const encoderCfg = { kind: "mlp" as const, hidden: [24], embeddingDim: 8 };
  const encoder = buildEncoder(encoderCfg, [16], params, "encoder", rng);
  const method = createMaskedModeling({ name: "masked", maskRatio: 0.5, decoderHidden: [12] }, {
    params,
    encoder,
    cloneEncoder: () => {
      throw new Error("unused");
    },
    inputShape: [16],
    rng,
    prefix: "masked",
  });
  const optimizer = createOptimizer({ name: "adamw", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05 });
  return { params, method, optimizer, vars: method.trainableVariables() };
}

function sliceViews(views: Views, start: number, size: number): Views {
  return Object.fromEntries(Object.entries(views).map(([k, v]) => [k, tf.slice(v, [start, 0], [size, -1])]));
}

describe("gradient accumulation", () => {
  it("k micro-batches give the same update as one k-times batch", () => {
    const k = 4;
    const batch = 8;
    const steps = 2;
    const big = buildModel();
    const micro = buildModel();
    const dataRng = new Rng(11);
    for (let s = 0; s < steps; s++) {
      const x = tf.tensor2d(dataRng.normals(k * batch * 16), [k * batch, 16]);
      const ctx: StepContext = { step: s, totalSteps: steps, difficulty: 1, rng: new Rng(100 + s), augment: makeAugmenter("tabular", { crop: 0, flip: 0, noise: 0, colorJitter: 0, cutout: 0, featureCorruption: 0 }) };
      const views = big.method.makeViews(x, ctx); // the same views (same masks) feed both models

      const one = accumulateGradients([() => big.method.loss(views, ctx)], big.vars);
      big.optimizer.apply(big.vars, one.grads, 0.01);

      const parts = Array.from({ length: k }, (_, j) => sliceViews(views, j * batch, batch));
      const acc = accumulateGradients(parts.map((v) => () => micro.method.loss(v, ctx)), micro.vars);
      micro.optimizer.apply(micro.vars, acc.grads, 0.01);

      expect(acc.terms.total.dataSync()[0]).toBeCloseTo(one.terms.total.dataSync()[0], 5);
      tf.dispose([x, views, parts, one.grads, acc.grads, one.terms, acc.terms]);
    }
    const microByName = new Map(micro.params.entries());
    let maxDiff = 0;
    for (const [name, v] of big.params.entries()) {
      const a = v.dataSync();
      const b = microByName.get(name)!.dataSync();
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // and training did move the weights (so the comparison is not vacuous)
    const fresh = buildModel();
    const w0 = fresh.params.get("encoder/fc1/kernel").dataSync();
    const w2 = big.params.get("encoder/fc1/kernel").dataSync();
    expect(Math.max(...w0.map((v, i) => Math.abs(v - w2[i])))).toBeGreaterThan(1e-3);
    for (const m of [big, micro, fresh]) {
      m.params.dispose();
      m.optimizer.dispose();
    }
  });
});
