import * as tf from "@tensorflow/tfjs-core";
import { l2Normalize } from "../models/l2-normalize";
import type { ParamSet } from "../models/param-set";
import type { Rng } from "../rng";

/**
 * FIFO queue of the K most recent keys, used as negatives (MoCo, He et al. 2020,
 * https://arxiv.org/abs/1911.05722). Rows are L2-normalized; the oldest rows are overwritten first.
 * The bank [K, c] and the write pointer live in a ParamSet (non-trainable) so checkpoints keep them.
 */
export class MemoryBank {
  readonly size: number;
  private readonly bank: tf.Variable;
  private readonly pointer: tf.Variable;

  constructor(params: ParamSet, prefix: string, size: number, dim: number, rng: Rng) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`memory bank size must be a positive integer, got ${size}`);
    this.size = size;
    const init = tf.tensor2d(rng.normals(size * dim), [size, dim]);
    this.bank = params.add(`${prefix}/queue`, l2Normalize(init), false);
    init.dispose();
    this.pointer = params.add(`${prefix}/queue_pointer`, tf.scalar(0, "int32"), false);
  }

  /** The stored keys [K, c]. */
  get keys(): tf.Tensor2D {
    return this.bank as tf.Tensor2D;
  }

  /** Writes keys [n, c] (normalized here) at the pointer, wrapping around; n > K keeps the last K. */
  enqueue(keys: tf.Tensor2D): void {
    const k = this.size;
    // On the device, pointer included: nothing is read back (WebGPU has no synchronous read under Node).
    tf.tidy(() => {
      let incoming = l2Normalize(keys);
      if (incoming.shape[0] > k) incoming = tf.slice(incoming, [incoming.shape[0] - k, 0], [k, -1]);
      const n = incoming.shape[0];
      // position p of the bank takes incoming row j = (p − ptr) mod K when j < n
      const int = (v: number) => tf.scalar(v, "int32");
      const positions = tf.range(0, k, 1, "int32");
      const j = tf.mod(tf.add(tf.sub(positions, this.pointer), int(k)), int(k));
      const rows = tf.where(tf.less(j, int(n)), tf.add(j, int(k)), positions); // index into [bank; incoming]
      this.bank.assign(tf.gather(tf.concat([this.bank, incoming], 0), rows));
      this.pointer.assign(tf.mod(tf.add(this.pointer, int(n)), int(k)));
    });
  }
}
