/**
 * Data parallelism for the encoder, the costly part of a pretraining step: each call's batch is
 * split row-wise across worker threads, each with its own backend instance and a copy of the
 * encoder (stock tfjs runs every op on one thread; XNNPACK threads split single ops, these split
 * the whole pass). The call's output is assembled here and the method's heads and loss, which may
 * couple the whole batch like NT-Xent's negatives, run on this thread as usual. In the backward
 * pass the workers backpropagate their shard's dLoss/dOutput; the summed shard gradients are the
 * encoder's gradient, so a step is the same step as in one thread, up to float summation order.
 *
 * Parameters are the main thread's variables: they are published to the workers at every call,
 * so the optimizer, checkpoints and health checks see no difference. One call per loss: a method
 * encodes all its views in one batch (see encodeViews).
 *
 *   const enc = await ShardedEncoder.start(cfg.encoder, shape, params, { workers: 2 }); // after buildEncoder(…, params, "encoder", …)
 *   const z = enc.apply(x); // under tf.variableGrads, the encoder's variables get their gradient
 *   await enc.close();
 */
import * as tf from "@tensorflow/tfjs-core";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { Encoder, EncoderConfig } from "../../models/encoder";
import type { ParamSet } from "../../models/param-set";
import { spawnThread } from "../../spawn-thread";
import { backendName } from "../index";
import { receive, send, sharedArray, TO_MAIN, TO_WORKER, type FromWorker, type SharedArray, type ToWorker, type WorkerConfig } from "./protocol";

/** A worker that does not answer within this time is taken to be dead (a pass takes < 1 s). */
const ANSWER_TIMEOUT_MS = 120_000;

interface Shard {
  worker: Worker;
  port: MessagePort;
  signals: Int32Array;
  grads: Float32Array;
}

export class ShardedEncoder implements Encoder {
  /** Workers holding a forward pass whose gradient has not been asked for yet, and its call. */
  private pending: { shards: Shard[]; call: number } | null = null;
  private calls = 0;

  private constructor(
    readonly outDim: number,
    private readonly vars: tf.Variable[],
    private readonly shards: Shard[],
    private readonly params: Float32Array,
  ) {}

  /**
   * Call after initBackend(): the workers use the same backend, with one XNNPACK thread each.
   * `params` must hold the encoder's variables under "encoder/" (buildEncoder's names).
   */
  static async start(cfg: EncoderConfig, inputShape: number[], params: ParamSet, opts: { workers: number }): Promise<ShardedEncoder> {
    if (!Number.isInteger(opts.workers) || opts.workers < 2) throw new Error(`data-parallel workers must be an integer ≥ 2, got ${opts.workers}`);
    const vars = params.withPrefix("encoder/").map(([, v]) => v);
    const size = vars.reduce((s, v) => s + v.size, 0);
    const shared = new SharedArrayBuffer(size * 4);
    const shards = Array.from({ length: opts.workers }, (): Shard => {
      const { port1, port2 } = new MessageChannel();
      const signals = new SharedArrayBuffer(8);
      const grads = new SharedArrayBuffer(size * 4);
      const config: WorkerConfig = { backend: backendName(), encoder: cfg, inputShape, port: port2, signals, params: shared, grads };
      const worker = spawnWorker(config, [port2]);
      worker.unref();
      return { worker, port: port1, signals: new Int32Array(signals), grads: new Float32Array(grads) };
    });
    const encoder = new ShardedEncoder(cfg.embeddingDim, vars, shards, new Float32Array(shared));
    try {
      for (const s of shards) encoder.answer(s, "ready", 600_000); // backend start-up compiles wasm
    } catch (err) {
      await encoder.close();
      throw err;
    }
    return encoder;
  }

  apply(x: tf.Tensor): tf.Tensor2D {
    const call = ++this.calls;
    const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const input = args[0] as tf.Tensor;
      const used = this.forward(input, call);
      const value = tf.concat(used.outputs, 0) as tf.Tensor2D;
      return {
        value,
        gradFunc: (dy: tf.Tensor) => [tf.zerosLike(input), ...this.backward(dy as tf.Tensor2D, used.rows, call)],
      };
    });
    // The variables are inputs so that the tape asks this call for their gradient.
    return run(x, ...this.vars) as tf.Tensor2D;
  }

  async close(): Promise<void> {
    for (const s of this.shards) this.post(s, { type: "close" });
    await Promise.all(this.shards.map((s) => s.worker.terminate()));
  }

  private forward(x: tf.Tensor, call: number): { outputs: tf.Tensor[]; rows: number[] } {
    this.dropPending();
    this.publishParams();
    const n = x.shape[0];
    const used = this.shards.slice(0, Math.min(n, this.shards.length));
    const rows = used.map((_, i) => Math.floor(((i + 1) * n) / used.length) - Math.floor((i * n) / used.length));
    splitRows(x, rows).forEach((shard, i) => this.post(used[i], { type: "forward", shard }));
    this.pending = { shards: used, call };
    const outputs = used.map((s) => {
      const { output } = this.answer(s, "output");
      return tf.tensor(new Float32Array(output.buffer), output.shape);
    });
    return { outputs, rows };
  }

  private backward(dy: tf.Tensor2D, rows: number[], call: number): tf.Tensor[] {
    if (this.pending?.call !== call) {
      throw new Error("the data-parallel encoder was called again before this call's gradient was taken: a method must encode all its views in one call (encodeViews)");
    }
    const used = this.pending.shards;
    this.pending = null;
    splitRows(dy, rows).forEach((shard, i) => this.post(used[i], { type: "backward", dy: shard }));
    for (const s of used) this.answer(s, "grads");
    const sum = new Float32Array(used[0].grads);
    for (const s of used.slice(1)) for (let j = 0; j < sum.length; j++) sum[j] += s.grads[j];
    let offset = 0;
    return this.vars.map((v) => {
      const g = tf.tensor(sum.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
      return g;
    });
  }

  /** A forward pass without a backward one (e.g. an encoding outside the gradient tape). */
  private dropPending(): void {
    if (!this.pending) return;
    for (const s of this.pending.shards) this.post(s, { type: "drop" });
    this.pending = null;
  }

  private publishParams(): void {
    let at = 0;
    for (const v of this.vars) {
      this.params.set(v.dataSync() as Float32Array, at);
      at += v.size;
    }
  }

  private post(s: Shard, msg: ToWorker): void {
    send(s.port, s.signals, TO_WORKER, msg);
  }

  private answer<T extends FromWorker["type"]>(s: Shard, type: T, timeoutMs = ANSWER_TIMEOUT_MS): Extract<FromWorker, { type: T }> {
    let msg: FromWorker;
    try {
      msg = receive<FromWorker>(s.port, s.signals, TO_MAIN, timeoutMs);
    } catch (err) {
      throw new Error(`data-parallel encoder worker did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (msg.type === "error") throw new Error(`data-parallel encoder worker failed: ${msg.message}`);
    if (msg.type !== type) throw new Error(`data-parallel encoder worker sent '${msg.type}', expected '${type}'`);
    return msg as Extract<FromWorker, { type: T }>;
  }
}

const WORKER_URL = new URL(`./encoder-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Each worker runs one XNNPACK thread: the workers are the parallelism. */
function spawnWorker(config: WorkerConfig, transferList: MessagePort[]): Worker {
  return spawnThread(WORKER_URL, { workerData: config, transferList, env: { ...process.env, PRETEXT_WASM_THREADS: "1" } });
}

/** Consecutive row blocks of `t` ([n, ...]) of `rows[i]` rows each, copied into shared memory. */
function splitRows(t: tf.Tensor, rows: number[]): SharedArray[] {
  const data = t.dataSync() as Float32Array;
  const rowSize = t.size / t.shape[0];
  let at = 0;
  return rows.map((r) => {
    const block = sharedArray(data.subarray(at * rowSize, (at + r) * rowSize), [r, ...t.shape.slice(1)]);
    at += r;
    return block;
  });
}
