/** Messages between the data-parallel pool (main thread) and its gradient workers. */
import type * as tf from "@tensorflow/tfjs-core";

/**
 * What a model module exports (by name) for the pool: a factory building the model on whichever
 * thread calls it. The main thread keeps its params as the master copy; workers overwrite theirs
 * every step, so the factory's initial values only matter on the main thread.
 */
export interface ShardModel {
  params: tf.Variable[];
  /** Forward pass over one worker's shard; the rows come back to the main thread's loss. */
  forward: (shard: tf.Tensor) => tf.Tensor;
}
export type ShardModelFactory = (...args: string[]) => ShardModel;

export interface WorkerConfig {
  backend: string;
  /** file: URL of the module exporting the factory, its export name, and its arguments. */
  modelUrl: string;
  modelExport: string;
  modelArgs: string[];
  /** All parameters, flattened back to back; written by the main thread before each step. */
  params: SharedArrayBuffer;
  /** This worker's parameter gradients, flattened like params (bulk data goes through shared
   * memory: posting a few MB took ~250 ms to arrive on the main thread). */
  grads: SharedArrayBuffer;
}

/** A float32 array in shared memory: posted without a copy. */
export interface SharedArray { buffer: SharedArrayBuffer; shape: number[] }

export function sharedArray(data: Float32Array | ArrayLike<number>, shape: number[]): SharedArray {
  const buffer = new SharedArrayBuffer(data.length * 4);
  new Float32Array(buffer).set(data);
  return { buffer, shape };
}

export type ToWorker = { type: "step"; shard: SharedArray };
export type FromWorker =
  | { type: "ready" }
  /** Forward output; the worker then blocks until `signal[0]` is 1 and `grad` holds dLoss/dOutput. */
  | { type: "output"; output: SharedArray; grad: SharedArrayBuffer; signal: SharedArrayBuffer }
  /** This shard's parameter gradients are in the shared `grads` buffer. */
  | { type: "grads" }
  | { type: "error"; message: string };
