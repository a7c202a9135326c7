import * as tf from "@tensorflow/tfjs-core";

/** Per-parameter optimizer slots (moments, velocities) named "<slot>/<parameter>", zero-initialized. */
export class SlotStore {
  private readonly slots = new Map<string, tf.Tensor>();

  constructor(private readonly slot: string) {}

  get(param: string, like: tf.Tensor): tf.Tensor {
    let t = this.slots.get(param);
    if (!t) {
      t = tf.keep(tf.zerosLike(like));
      this.slots.set(param, t);
    }
    return t;
  }

  /** Replaces the slot; the new tensor is kept past the caller's tidy and the old one disposed. */
  set(param: string, value: tf.Tensor): void {
    this.slots.get(param)?.dispose();
    this.slots.set(param, tf.keep(value));
  }

  entries(): Record<string, tf.Tensor> {
    return Object.fromEntries([...this.slots].map(([p, t]) => [`${this.slot}/${p}`, t]));
  }

  load(state: Record<string, tf.Tensor>): void {
    this.dispose();
    const prefix = `${this.slot}/`;
    for (const [k, t] of Object.entries(state)) if (k.startsWith(prefix)) this.slots.set(k.slice(prefix.length), tf.keep(t.clone()));
  }

  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}
