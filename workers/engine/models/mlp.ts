import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";
import { batchNorm, dense } from "./layers";
import type { ParamSet } from "./param-set";

export interface MlpOptions {
  /** Batch norm after each hidden layer (projection heads); never after the output layer. */
  batchNorm?: boolean;
}

/** MLP dims[0] → … → dims[last] with ReLU between layers and a linear output: x [n, d0] → [n, dL]. */
export function mlp(params: ParamSet, prefix: string, dims: number[], rng: Rng, opts: MlpOptions = {}) {
  if (dims.length < 2) throw new Error(`MLP ${prefix} needs at least input and output sizes, got [${dims}]`);
  const layers = dims.slice(1).map((out, i) => {
    const hidden = i < dims.length - 2;
    const fc = dense(params, `${prefix}/fc${i + 1}`, dims[i], out, rng);
    const bn = hidden && opts.batchNorm ? batchNorm(params, `${prefix}/bn${i + 1}`, out) : null;
    return (x: tf.Tensor2D) => {
      let y = fc(x);
      if (bn) y = bn(y);
      return hidden ? tf.relu(y) : y;
    };
  });
  return (x: tf.Tensor2D): tf.Tensor2D => layers.reduce((h, layer) => layer(h), x);
}
