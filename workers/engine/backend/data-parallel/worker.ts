/**
 * A data-parallel gradient worker: its own thread, its own wasm instance (tfjs-wasm cannot use
 * threads under Node, so this is how a second core gets used). Per step: load the master params,
 * run the forward pass on its shard, hand the output to the main thread, wait for the loss
 * gradient with respect to that output, then backpropagate and return the parameter gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../index";
import { sharedArray, type FromWorker, type ShardModelFactory, type ToWorker, type WorkerConfig } from "./protocol";

const config = workerData as WorkerConfig;
const port = parentPort!;
const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

await initBackend(config.backend);
const factory = (await import(config.modelUrl))[config.modelExport] as ShardModelFactory;
const model = factory(...config.modelArgs);
const masterParams = new Float32Array(config.params);
const shardGrads = new Float32Array(config.grads);

port.on("message", (msg: ToWorker) => {
  try {
    send(step(new Float32Array(msg.shard.buffer), msg.shard.shape));
  } catch (err) {
    send({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
send({ type: "ready" });

function loadParams(): void {
  let at = 0;
  for (const p of model.params) {
    tf.tidy(() => p.assign(tf.tensor(masterParams.subarray(at, at + p.size), p.shape)));
    at += p.size;
  }
}

function step(data: Float32Array, shape: number[]): FromWorker {
  loadParams();
  tf.tidy(() => {
    const shard = tf.tensor(data, shape);
    const { grads } = tf.variableGrads(() => {
      const output = model.forward(shard);
      const grad = new SharedArrayBuffer(output.size * 4);
      const signal = new SharedArrayBuffer(4);
      send({ type: "output", output: sharedArray(output.dataSync(), output.shape), grad, signal });
      Atomics.wait(new Int32Array(signal), 0, 0);
      // Σ output·dLoss/dOutput has the same parameter gradient as the full-batch loss.
      return tf.sum(tf.mul(output, tf.tensor(new Float32Array(grad), output.shape)));
    }, model.params);
    let at = 0;
    for (const p of model.params) {
      shardGrads.set(grads[p.name].dataSync(), at);
      at += p.size;
    }
  });
  return { type: "grads" };
}
