/**
 * Data-parallel training step across worker threads, each with its own TensorFlow.js instance:
 * the batch is split into shards, every worker runs forward and backward on its shard, and the
 * loss — which may couple the whole batch, like NT-Xent's negatives — is computed here on the
 * gathered outputs. The summed shard gradients equal the single-process gradient, so an
 * optimizer step here is the same step, up to float summation order.
 *
 *   const pool = await DataParallelPool.start({ workers: 2, modelUrl, modelExport: "buildModel", modelArgs: ["cnn"] });
 *   const loss = await pool.step(shards, (outputs) => ntXent(outputs), optimizer);
 *   await pool.close();
 */
import * as tf from "@tensorflow/tfjs-core";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { backendName } from "../index";
import { sharedArray, type FromWorker, type ShardModel, type ShardModelFactory, type ToWorker, type WorkerConfig } from "./protocol";

export type { ShardModel, ShardModelFactory } from "./protocol";

export interface PoolOptions {
  workers: number;
  modelUrl: string;
  modelExport: string;
  modelArgs?: string[];
}

export class DataParallelPool {
  private constructor(
    /** The master model: its params are what the optimizer updates. */
    readonly model: ShardModel,
    private readonly workers: Worker[],
    private readonly masterParams: Float32Array,
    private readonly shardGrads: Float32Array[],
  ) {}

  /** Call after initBackend(): workers use the same backend as this thread. */
  static async start(opts: PoolOptions): Promise<DataParallelPool> {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`workers must be a positive integer, got ${opts.workers}`);
    const modelArgs = opts.modelArgs ?? [];
    const factory = (await import(opts.modelUrl))[opts.modelExport] as ShardModelFactory | undefined;
    if (typeof factory !== "function") throw new Error(`${opts.modelUrl} has no exported function '${opts.modelExport}'`);
    const model = factory(...modelArgs);
    const size = model.params.reduce((s, p) => s + p.size, 0);
    const params = new SharedArrayBuffer(size * 4);
    const grads = Array.from({ length: opts.workers }, () => new SharedArrayBuffer(size * 4));
    const workers = grads.map((g) =>
      spawnWorker({ backend: backendName(), modelUrl: opts.modelUrl, modelExport: opts.modelExport, modelArgs, params, grads: g }));
    const pool = new DataParallelPool(model, workers, new Float32Array(params), grads.map((g) => new Float32Array(g)));
    await Promise.all(workers.map((w) => pool.next(w, "ready")));
    return pool;
  }

  /**
   * One step: shards[i] goes to worker i; `loss` gets the workers' outputs in the same order.
   * Returns the loss value. After a rejected step the workers' state is unknown: close the pool.
   */
  async step(shards: tf.Tensor[], loss: (outputs: tf.Tensor[]) => tf.Scalar, optimizer: tf.Optimizer): Promise<number> {
    if (shards.length !== this.workers.length) throw new Error(`expected ${this.workers.length} shards, got ${shards.length}`);
    this.publishParams();
    const outputs = this.workers.map((w) => this.next(w, "output"));
    const grads = this.workers.map((w) => this.next(w, "grads"));
    grads.forEach((g) => g.catch(() => undefined)); // awaited below; a failed forward must not leave them unhandled
    shards.forEach((s, i) => this.workers[i].postMessage({ type: "step", shard: sharedArray(s.dataSync(), s.shape) } satisfies ToWorker));

    const gathered = await Promise.all(outputs);
    const value = tf.tidy(() => {
      const xs = gathered.map((o) => tf.tensor(new Float32Array(o.output.buffer), o.output.shape));
      const { value, grads: dOutputs } = tf.valueAndGrads((...ys: tf.Tensor[]) => loss(ys))(xs);
      gathered.forEach((o, i) => {
        new Float32Array(o.grad).set(dOutputs[i].dataSync());
        const signal = new Int32Array(o.signal);
        Atomics.store(signal, 0, 1);
        Atomics.notify(signal, 0);
      });
      return value.dataSync()[0];
    });

    await Promise.all(grads);
    tf.tidy(() => {
      const named: tf.NamedTensorMap = {};
      let at = 0;
      for (const p of this.model.params) {
        named[p.name] = tf.addN(this.shardGrads.map((g) => tf.tensor(g.subarray(at, at + p.size), p.shape)));
        at += p.size;
      }
      optimizer.applyGradients(named);
    });
    return value;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private publishParams(): void {
    let at = 0;
    for (const p of this.model.params) {
      this.masterParams.set(p.dataSync(), at);
      at += p.size;
    }
  }

  /** The worker's next message, which must be of the given type (a worker error rejects). */
  private next<T extends FromWorker["type"]>(worker: Worker, type: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: FromWorker) => {
        if (msg.type !== type && msg.type !== "error") return;
        cleanup();
        if (msg.type === "error") reject(new Error(`data-parallel worker failed: ${msg.message}`));
        else resolve(msg as Extract<FromWorker, { type: T }>);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
    });
  }
}

const WORKER_URL = new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/**
 * Loader hooks registered by `node --import tsx` do not reach worker threads in Node 20, so a
 * TypeScript worker registers tsx itself before importing its entry module.
 */
function spawnWorker(config: WorkerConfig): Worker {
  const resolve = (specifier: string) => JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href);
  const boot = WORKER_URL.endsWith(".ts")
    ? `Promise.all([import(${resolve("tsx/esm/api")}), import(${resolve("tsx/cjs/api")})])
         .then(([esm, cjs]) => { cjs.register(); esm.register(); return import(${JSON.stringify(WORKER_URL)}); })`
    : `import(${JSON.stringify(WORKER_URL)})`;
  return new Worker(boot, { eval: true, workerData: config });
}
