import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";

/**
 * Named tf.Variables ("encoder/conv1/kernel", …). Names are ours, not tfjs's global variable
 * registry's, so several models (online + EMA target, or two runs in one test) can coexist.
 */
export class ParamSet {
  private readonly vars = new Map<string, tf.Variable>();

  add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} is defined twice`);
    const v = tf.variable(init, trainable);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`unknown parameter ${name}`);
    return v;
  }

  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  /** Entries whose name starts with `prefix`. */
  withPrefix(prefix: string): [string, tf.Variable][] {
    return this.entries().filter(([n]) => n.startsWith(prefix));
  }

  /** Marks parameters under `prefix` as not trainable (EMA targets, queues). */
  freeze(prefix: string): void {
    for (const [, v] of this.withPrefix(prefix)) v.trainable = false;
  }

  /** Assigns values by name; every parameter must be present with the same shape. */
  load(values: Record<string, tf.Tensor>, prefix = ""): void {
    for (const [name, v] of this.withPrefix(prefix)) {
      const t = values[name];
      if (!t) throw new Error(`checkpoint has no value for parameter ${name}`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new Error(`parameter ${name}: checkpoint shape [${t.shape}] ≠ model shape [${v.shape}]`);
      }
      v.assign(t);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** He-normal init (He et al. 2015) for ReLU layers: N(0, 2 / fanIn), drawn from the run's RNG. */
export function heNormal(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.normals(size, Math.sqrt(2 / fanIn)), shape);
}
