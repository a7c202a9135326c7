import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { augmentSchema, makeAugmenter } from "../augment/augmenter";
import { initBackend } from "../backend";
import { buildEncoder } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { createMethod, type MethodConfig } from "./create-method";
import type { MethodEnv, StepContext } from "./method";

beforeAll(async () => {
  await initBackend("cpu");
});

function env(inputShape: number[], method: string): MethodEnv {
  const rng = new Rng(1);
  const params = new ParamSet();
  const cfg = { kind: "mlp" as const, hidden: [16], embeddingDim: 8 };
  return {
    params,
    encoder: buildEncoder(cfg, inputShape, params, "encoder", rng),
    cloneEncoder(prefix) {
      const e = buildEncoder(cfg, inputShape, params, prefix, rng);
      params.freeze(`${prefix}/`);
      return e;
    },
    inputShape,
    rng,
    prefix: method,
  };
}

const ctx = (kind: "image" | "tabular"): StepContext => ({
  step: 0,
  totalSteps: 10,
  difficulty: 1,
  rng: new Rng(2),
  augment: makeAugmenter(kind, augmentSchema.parse({})),
});

describe("pretext methods", () => {
  const cases: [MethodConfig, number[]][] = [
    [{ name: "simclr", head: { hidden: [8], outDim: 4 } }, [8, 8, 1]],
    [{ name: "moco", queueSize: 16, head: { hidden: [8], outDim: 4 } }, [8, 8, 1]],
    [{ name: "byol", projector: { hidden: [8], outDim: 4 }, predictor: { hidden: [8], outDim: 4 } }, [8, 8, 1]],
    [{ name: "masked", patchSize: 4, maskRatio: 0.5 }, [8, 8, 1]],
    [{ name: "scarf", head: { hidden: [8], outDim: 4 } }, [6]],
    [{ name: "multitask", tasks: [{ weight: 1, method: { name: "simclr" } }, { weight: 0.5, method: { name: "masked", patchSize: 4 } }] }, [8, 8, 1]],
  ];

  it.each(cases)("%o gives a finite loss with gradients for the encoder only through trainable variables", (cfg, shape) => {
    const e = env(shape, cfg.name);
    const method = createMethod(cfg, e);
    const c = ctx(shape.length === 3 ? "image" : "tabular");
    const x = tf.randomUniform([8, ...shape]);
    const views = method.makeViews(x, c);
    const vars = method.trainableVariables();
    expect(vars.every(([, v]) => v.trainable)).toBe(true);
    expect(vars.some(([n]) => n.startsWith("encoder/"))).toBe(true);
    const { value, grads } = tf.variableGrads(() => method.loss(views, c).total, vars.map(([, v]) => v));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(vars.length);
    method.afterStep?.(c);
    e.params.dispose();
  });

  it("multi-task sums weighted task losses and prefixes its terms", () => {
    const e = env([8, 8, 1], "multitask");
    const method = createMethod(
      { name: "multitask", tasks: [{ weight: 2, method: { name: "masked", patchSize: 4 } }, { weight: 0.5, method: { name: "masked", patchSize: 4 } }] },
      e,
    );
    const c = ctx("image");
    const { total, terms } = method.loss(method.makeViews(tf.randomUniform([4, 8, 8, 1]), c), c);
    expect(Object.keys(terms)).toEqual(["masked/reconstruction", "masked2/reconstruction"]);
    const expected = 2 * terms["masked/reconstruction"].dataSync()[0] + 0.5 * terms["masked2/reconstruction"].dataSync()[0];
    expect(total.dataSync()[0]).toBeCloseTo(expected, 5);
    e.params.dispose();
  });

  it("rejects illegal hyperparameters at construction", () => {
    expect(() => createMethod({ name: "simclr", temperature: 0 }, env([4], "simclr"))).toThrow(/temperature must be ≥ 0.01/);
    expect(() => createMethod({ name: "moco", queueSize: 0 }, env([4], "moco"))).toThrow(/queueSize must be ≥ 1/);
    expect(() => createMethod({ name: "byol", momentumBase: 1 }, env([4], "byol"))).toThrow(/momentumBase must be < 1/);
    expect(() => createMethod({ name: "masked", patchSize: 3 }, env([8, 8, 1], "masked"))).toThrow(/patchSize 3 must divide/);
    expect(() => createMethod({ name: "scarf" }, env([8, 8, 1], "scarf"))).toThrow(/SCARF works on tabular rows/);
  });
});
