import * as tf from "@tensorflow/tfjs-core";
import type { Optimizer } from "./optimizer";
import { decays } from "./optimizer";
import { SlotStore } from "./slot-store";

/**
 * Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) and AdamW (Loshchilov & Hutter 2019,
 * https://arxiv.org/abs/1711.05101). tfjs has no AdamW, so weight decay is handled here:
 *  - coupled (Adam + L2):  g ← g + λθ before the moments;
 *  - decoupled (AdamW):    θ ← θ − lr·λ·θ, independent of the adaptive step.
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², θ ← θ − lr·m̂/(√v̂ + ε), m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ).
 */
export function adam(opts: {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  decoupled: boolean;
}): Optimizer {
  const m = new SlotStore("adam/m");
  const v = new SlotStore("adam/v");
  let t = 0;
  let stepCount = tf.keep(tf.scalar(0, "int32")); // t as a tensor, for checkpoints
  return {
    apply(vars, grads, lr) {
      t += 1;
      stepCount.dispose();
      stepCount = tf.keep(tf.scalar(t, "int32"));
      const c1 = 1 - opts.beta1 ** t;
      const c2 = 1 - opts.beta2 ** t;
      tf.tidy(() => {
        for (const [name, p] of vars) {
          let g = grads[name];
          if (!g) continue;
          const decay = opts.weightDecay > 0 && decays(p);
          if (decay && !opts.decoupled) g = tf.add(g, tf.mul(p, opts.weightDecay));
          const m1 = tf.add(tf.mul(m.get(name, p), opts.beta1), tf.mul(g, 1 - opts.beta1));
          const v1 = tf.add(tf.mul(v.get(name, p), opts.beta2), tf.mul(tf.square(g), 1 - opts.beta2));
          m.set(name, m1);
          v.set(name, v1);
          let next = tf.sub(p, tf.mul(tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), opts.epsilon)), lr));
          if (decay && opts.decoupled) next = tf.sub(next, tf.mul(p, lr * opts.weightDecay));
          p.assign(next);
        }
      });
    },
    state: () => ({ ...m.entries(), ...v.entries(), "adam/t": stepCount }),
    loadState(s) {
      m.load(s);
      v.load(s);
      t = s["adam/t"] ? s["adam/t"].dataSync()[0] : 0;
      stepCount.dispose();
      stepCount = tf.keep(tf.scalar(t, "int32"));
    },
    dispose() {
      stepCount.dispose();
      m.dispose();
      v.dispose();
    },
  };
}
