/**
 * A data-parallel encoder worker: its own thread and backend instance, a copy of the encoder.
 * Per forward: load the main thread's parameters, encode the shard, send the output, then wait for
 * dLoss/dOutput and backpropagate into the shared gradient buffer (or drop the pass).
 */
import * as tf from "@tensorflow/tfjs-core";
import { workerData } from "node:worker_threads";
import { buildEncoder } from "../../models/encoder";
import { ParamSet } from "../../models/param-set";
import { Rng } from "../../rng";
import { initBackend } from "../index";
import { receive, send, sharedArray, TO_MAIN, TO_WORKER, type FromWorker, type SharedArray, type ToWorker, type WorkerConfig } from "./protocol";

const config = workerData as WorkerConfig;
const signals = new Int32Array(config.signals);
const reply = (msg: FromWorker) => send(config.port, signals, TO_MAIN, msg);
const next = () => receive<ToWorker>(config.port, signals, TO_WORKER);

class Dropped extends Error {}

try {
  await initBackend(config.backend);
  const params = new ParamSet();
  const encoder = buildEncoder(config.encoder, config.inputShape, params, "encoder", new Rng(0));
  const vars = params.entries().map(([, v]) => v);
  const masterParams = new Float32Array(config.params);
  const grads = new Float32Array(config.grads);
  reply({ type: "ready" });

  const loadParams = () => {
    let at = 0;
    for (const v of vars) {
      tf.tidy(() => v.assign(tf.tensor(masterParams.slice(at, at + v.size), v.shape))); // a copy: backends may keep the array
      at += v.size;
    }
  };

  /** One forward (and backward) pass; returns the message that interrupted it, if one did. */
  const pass = (shard: SharedArray): ToWorker | null => {
    let interrupted: ToWorker | null = null;
    try {
      loadParams();
      tf.tidy(() => {
        const x = tf.tensor(new Float32Array(shard.buffer), shard.shape);
        const result = tf.variableGrads(() => {
          const out = encoder.apply(x);
          reply({ type: "output", output: sharedArray(out.dataSync() as Float32Array, out.shape) });
          const back = next();
          if (back.type !== "backward") {
            interrupted = back;
            throw new Dropped();
          }
          // Σ output · dLoss/dOutput has the shard's share of the loss's parameter gradient.
          return tf.sum(tf.mul(out, tf.tensor(new Float32Array(back.dy.buffer), back.dy.shape)));
        }, vars);
        let at = 0;
        for (const v of vars) {
          grads.set(result.grads[v.name].dataSync() as Float32Array, at);
          at += v.size;
        }
      });
      reply({ type: "grads" });
    } catch (err) {
      if (!(err instanceof Dropped)) reply({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
    return interrupted;
  };

  let msg = next();
  while (msg.type !== "close") {
    const interrupted = msg.type === "forward" ? pass(msg.shard) : null; // a stray drop (its pass failed) is ignored
    msg = interrupted && interrupted.type !== "drop" ? interrupted : next();
  }
} catch (err) {
  reply({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
