import * as tf from "@tensorflow/tfjs-core";
import type { LossTerms, MethodEnv, PretextMethod, Views } from "./method";
import { createSingleMethod } from "./single-method";
import { multiTaskSchema, type MultiTaskConfig } from "../../../server/jobs/configs/methods";

export { multiTaskSchema, type MultiTaskConfig };

/**
 * Multi-task pretraining: several pretext tasks on one shared encoder, minimizing
 * L = Σ_t w_t · L_t (e.g. SimCLR + masked modeling, as in "multi-task self-supervised visual
 * learning", Doersch & Zisserman 2017, https://arxiv.org/abs/1708.07860). Each task keeps its own
 * heads and state under its own name; logged terms are prefixed "<task>/".
 *
 * Hyperparameters: `tasks` — at least two {weight > 0, method}.
 *
 * @example createMultiTask({ name: "multitask", tasks: [{ weight: 1, method: { name: "simclr" } }, { weight: 0.5, method: { name: "masked" } }] }, env)
 */
export function createMultiTask(config: MultiTaskConfig, env: MethodEnv): PretextMethod {
  const cfg = multiTaskSchema.parse(config);
  const seen = new Map<string, number>();
  const tasks = cfg.tasks.map(({ weight, method }) => {
    const count = (seen.get(method.name) ?? 0) + 1;
    seen.set(method.name, count);
    const key = count === 1 ? method.name : `${method.name}${count}`;
    return { key, weight, method: createSingleMethod(method, { ...env, prefix: `${env.prefix}/${key}` }) };
  });

  return {
    name: "multitask",
    makeViews(x, ctx) {
      const views: Views = {};
      for (const t of tasks) {
        for (const [k, v] of Object.entries(t.method.makeViews(x, ctx))) views[`${t.key}/${k}`] = v;
      }
      return views;
    },
    loss(views, ctx): LossTerms {
      const terms: Record<string, tf.Scalar> = {};
      let total = tf.scalar(0);
      for (const t of tasks) {
        const own: Views = {};
        for (const [k, v] of Object.entries(views)) if (k.startsWith(`${t.key}/`)) own[k.slice(t.key.length + 1)] = v;
        const part = t.method.loss(own, ctx);
        for (const [k, v] of Object.entries(part.terms)) terms[`${t.key}/${k}`] = v;
        total = tf.add(total, tf.mul(part.total, t.weight));
      }
      return { total, terms };
    },
    trainableVariables() {
      const byName = new Map<string, tf.Variable>();
      for (const t of tasks) for (const [n, v] of t.method.trainableVariables()) byName.set(n, v);
      return [...byName.entries()];
    },
    afterStep(ctx) {
      for (const t of tasks) t.method.afterStep?.(ctx);
    },
  };
}
