/**
 * Messages between a sharded encoder (main thread) and its workers. Both sides block: the main
 * thread is inside a synchronous forward or gradient function when it waits, so messages go over a
 * MessagePort read with receiveMessageOnPort, and a shared counter per direction wakes the reader.
 */
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { EncoderConfig } from "../../models/encoder";

export interface WorkerConfig {
  backend: string;
  encoder: EncoderConfig;
  inputShape: number[];
  port: MessagePort;
  /** Int32 counters: [0] messages to the worker, [1] messages to the main thread. */
  signals: SharedArrayBuffer;
  /** The encoder's parameters, flattened in ParamSet order; written by the main thread. */
  params: SharedArrayBuffer;
  /** This worker's parameter gradients, flattened like params. */
  grads: SharedArrayBuffer;
}

/** A float32 array in shared memory: posted without a copy. */
export interface SharedArray { buffer: SharedArrayBuffer; shape: number[] }

export function sharedArray(data: Float32Array, shape: number[]): SharedArray {
  const buffer = new SharedArrayBuffer(data.length * 4);
  new Float32Array(buffer).set(data);
  return { buffer, shape };
}

export type ToWorker =
  | { type: "forward"; shard: SharedArray }
  /** dLoss/dOutput of the last forward; the worker answers "grads". */
  | { type: "backward"; dy: SharedArray }
  /** The last forward's gradient will not be asked for. */
  | { type: "drop" }
  | { type: "close" };

export type FromWorker =
  | { type: "ready" }
  | { type: "output"; output: SharedArray }
  /** The shard's parameter gradients are in the shared grads buffer. */
  | { type: "grads" }
  | { type: "error"; message: string };

export const TO_WORKER = 0;
export const TO_MAIN = 1;

export function send<T>(port: MessagePort, signals: Int32Array, slot: number, msg: T): void {
  port.postMessage(msg);
  Atomics.add(signals, slot, 1);
  Atomics.notify(signals, slot);
}

/** Blocks until a message arrives (or `timeoutMs` passes: then throws). */
export function receive<T>(port: MessagePort, signals: Int32Array, slot: number, timeoutMs = Infinity): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(signals, slot); // read before polling, so a message posted after the poll wakes the wait
    const got = receiveMessageOnPort(port);
    if (got) return got.message as T;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms`);
    Atomics.wait(signals, slot, seen, Math.min(left, 1000));
  }
}
