import * as tf from "@tensorflow/tfjs-core";
import { makeAugmenter, type Augmenter } from "../augment/augmenter";
import { ShardedEncoder } from "../backend/data-parallel/sharded-encoder";
import type { PretrainConfig } from "../config";
import { gatherBatch } from "../data/batches";
import type { DatasetDescriptor } from "../data/dataset";
import { loadDataset } from "../data/load-dataset";
import { makeSplits, type SampleView } from "../data/splits";
import { createMethod } from "../methods/create-method";
import type { PretextMethod } from "../methods/method";
import { buildEncoder, type Encoder } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { createOptimizer } from "./create-optimizer";
import type { Optimizer } from "./optimizer";

/** Everything a run is built from its config, before the first step. */
export interface TrainingSetup {
  descriptor: DatasetDescriptor;
  pool: SampleView;
  params: ParamSet;
  encoder: Encoder;
  method: PretextMethod;
  trainable: [string, tf.Variable][];
  optimizer: Optimizer;
  augment: Augmenter;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Fixed probe batch [p, ...shape] and one augmented view of it, for health metrics. */
  probe: { x: tf.Tensor; view: tf.Tensor };
  dispose(): Promise<void>;
}

export async function buildTrainingSetup(cfg: PretrainConfig): Promise<TrainingSetup> {
  const dataset = await loadDataset(cfg.dataset);
  const descriptor = dataset.descriptor;
  const splits = makeSplits(dataset, { seed: cfg.seed, testFraction: cfg.data.testFraction });
  const pool = limitPool(splits.unlabeled, cfg.data.limit, cfg.seed);
  const perStep = cfg.batchSize * cfg.accumulationSteps;
  const stepsPerEpoch = Math.floor(pool.indices.length / perStep);
  if (stepsPerEpoch < 1) {
    throw new Error(
      `batchSize × accumulationSteps = ${perStep} exceeds the ${pool.indices.length} samples of the unlabeled pool of ${descriptor.name}`,
    );
  }
  const totalSteps = Math.min(cfg.maxSteps ?? Infinity, cfg.epochs * stepsPerEpoch);

  const initRng = new Rng(cfg.seed).fork("init");
  const params = new ParamSet();
  const shape = descriptor.shape;
  const encoder = buildEncoder(cfg.encoder, shape, params, "encoder", initRng);
  // The method trains through the sharded copy; health checks and exports use `encoder` (same weights).
  const sharded = cfg.encoderWorkers > 1 ? await ShardedEncoder.start(cfg.encoder, shape, params, { workers: cfg.encoderWorkers }) : null;
  let method: PretextMethod;
  try {
    method = createMethod(cfg.method, {
      params,
      encoder: sharded ?? encoder,
      cloneEncoder(prefix) {
        const clone = buildEncoder(cfg.encoder, shape, params, prefix, initRng);
        params.freeze(`${prefix}/`);
        return clone;
      },
      inputShape: shape,
      rng: initRng,
      prefix: cfg.method.name,
    });
  } catch (err) {
    await sharded?.close(); // a worker daemon would otherwise keep the threads of every such failed job
    params.dispose();
    throw err;
  }
  const augment = makeAugmenter(descriptor.kind, cfg.augment);
  const probePositions = new Rng(cfg.seed).fork("probe").permutation(pool.indices.length).subarray(0, cfg.health.probeSize);
  const probeX = gatherBatch(pool, probePositions);
  const probeView = tf.tidy(() => augment(probeX, 1, new Rng(cfg.seed).fork("probe-view")));
  const optimizer = createOptimizer(cfg.optimizer);
  return {
    descriptor,
    pool,
    params,
    encoder,
    method,
    trainable: method.trainableVariables(),
    optimizer,
    augment,
    stepsPerEpoch,
    totalSteps,
    probe: { x: probeX, view: probeView },
    async dispose() {
      await sharded?.close();
      params.dispose();
      optimizer.dispose();
      probeX.dispose();
      probeView.dispose();
    },
  };
}

/** A seeded subset of at most `limit` samples (kept in index order). */
function limitPool(pool: SampleView, limit: number | undefined, seed: number): SampleView {
  if (limit === undefined || limit >= pool.indices.length) return pool;
  const picked = new Rng(seed).fork("pool-limit").permutation(pool.indices.length).subarray(0, limit).sort();
  return { ...pool, indices: Int32Array.from(picked, (p) => pool.indices[p]) };
}

/** Identifies what a checkpoint's tensors mean; resuming under a different one is refused. */
export function configFingerprint(cfg: PretrainConfig): string {
  const { dataset, data, encoder, method, batchSize, accumulationSteps, seed } = cfg;
  return JSON.stringify({ dataset, data, encoder, method, optimizer: cfg.optimizer.name, batchSize, accumulationSteps, seed });
}
