import * as tf from "@tensorflow/tfjs-core";
import type { Optimizer } from "./optimizer";
import { decays } from "./optimizer";
import { SlotStore } from "./slot-store";

/**
 * SGD with momentum (PyTorch convention, Sutskever et al. 2013): g ← g + λθ (coupled L2),
 * v ← μv + g, θ ← θ − lr·v (Nesterov: θ ← θ − lr·(g + μv)).
 */
export function sgdMomentum(opts: { momentum: number; nesterov: boolean; weightDecay: number }): Optimizer {
  const velocity = new SlotStore("sgd/velocity");
  return {
    apply(vars, grads, lr) {
      tf.tidy(() => {
        for (const [name, v] of vars) {
          let g = grads[name];
          if (!g) continue;
          if (opts.weightDecay > 0 && decays(v)) g = tf.add(g, tf.mul(v, opts.weightDecay));
          const vel = tf.add(tf.mul(velocity.get(name, v), opts.momentum), g);
          velocity.set(name, vel);
          const stepDir = opts.nesterov ? tf.add(g, tf.mul(vel, opts.momentum)) : vel;
          v.assign(tf.sub(v, tf.mul(stepDir, lr)));
        }
      });
    },
    state: () => velocity.entries(),
    loadState: (s) => velocity.load(s),
    dispose: () => velocity.dispose(),
  };
}
