import * as tf from "@tensorflow/tfjs-core";
import type { ModelSpec } from "../../../server/registry/model-spec";
import { preprocess } from "../../../server/serving/preprocess";
import type { LoadedModel } from "../../../server/serving/runtime";
import { gatherBatch } from "../data/batches";
import { sampleSize } from "../data/dataset";
import type { SampleView } from "../data/splits";

/** A row-major feature matrix [n, d] kept in JS memory (embeddings or raw inputs). */
export interface Features {
  data: Float32Array;
  n: number;
  d: number;
}

/**
 * Runs a frozen encoder over every sample of a view in batches: → [n, d], row i = sample
 * view.indices[i]. Each batch is read back before the next, so memory stays at one batch.
 */
export async function embedView(view: SampleView, apply: (x: tf.Tensor) => tf.Tensor2D, outDim: number, batchSize: number, onBatch?: (done: number) => void): Promise<Features> {
  const n = view.indices.length;
  const data = new Float32Array(n * outDim);
  for (let start = 0; start < n; start += batchSize) {
    const positions = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const z = tf.tidy(() => {
      const x = gatherBatch(view, positions);
      return apply(x);
    });
    data.set(await z.data(), start * outDim);
    z.dispose();
    onBatch?.(Math.min(n, start + batchSize));
  }
  return { data, n, d: outDim };
}

/**
 * Runs an imported ONNX model over every sample of a view in batches, as serving calls it
 * (server/serving/runtime.ts): raw dataset values laid out as `spec.layout` says, then the spec's
 * preprocessing → [n, d], row i = sample view.indices[i]. The view's samples must have the spec's
 * shape (checked by the caller, see run-suite.ts).
 */
export async function embedViewOnnx(view: SampleView, model: LoadedModel, spec: ModelSpec, batchSize: number): Promise<Features> {
  const n = view.indices.length;
  let data = new Float32Array(0);
  let d = 0;
  for (let start = 0; start < n; start += batchSize) {
    const positions = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const { embedding, dim } = await model.run(preprocess(samplesInLayout(view, positions, spec.layout), positions.length, spec), positions.length);
    if (start === 0) {
      d = dim;
      data = new Float32Array(n * d);
    }
    data.set(embedding, start * d);
  }
  return { data, n, d };
}

/**
 * Samples of a view at the given positions in raw dataset units (pixels 0-255 unscaled), as a model
 * of `layout` takes them: [b, h, w, c] as stored for nhwc and flat, [b, c, h, w] for nchw.
 */
export function samplesInLayout(view: SampleView, positions: ArrayLike<number>, layout: ModelSpec["layout"]): Float32Array {
  const size = sampleSize(view.shape);
  const out = new Float32Array(positions.length * size);
  const src = view.source.x;
  const channels = view.shape.length === 3 ? view.shape[2] : 1;
  const transpose = layout === "nchw" && channels > 1;
  const plane = size / channels; // h · w
  for (let b = 0; b < positions.length; b++) {
    const offset = view.indices[positions[b]] * size;
    if (!transpose) {
      out.set(src.subarray(offset, offset + size), b * size);
      continue;
    }
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) out[b * size + c * plane + p] = src[offset + p * channels + c];
    }
  }
  return out;
}

/** The raw inputs of a view, flattened to [n, prod(shape)] (pixels scaled to [0, 1]). */
export function rawFeatures(view: SampleView): Features {
  const d = sampleSize(view.shape);
  const n = view.indices.length;
  const data = new Float32Array(n * d);
  const src = view.source.x;
  const scale = src instanceof Uint8Array ? 1 / 255 : 1;
  for (let i = 0; i < n; i++) {
    const offset = view.indices[i] * d;
    for (let j = 0; j < d; j++) data[i * d + j] = src[offset + j] * scale;
  }
  return { data, n, d };
}

/** Rows of `f` at the given row positions: [positions.length, d]. */
export function selectRows(f: Features, positions: ArrayLike<number>): Features {
  const out = new Float32Array(positions.length * f.d);
  for (let i = 0; i < positions.length; i++) out.set(f.data.subarray(positions[i] * f.d, (positions[i] + 1) * f.d), i * f.d);
  return { data: out, n: positions.length, d: f.d };
}

/** Per-feature z-scoring fitted on training rows: x' = (x − μ) / max(σ, ε). */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(f: Features, eps = 1e-6): Standardizer {
  const mean = new Float64Array(f.d);
  const sq = new Float64Array(f.d);
  for (let i = 0; i < f.n; i++) {
    for (let j = 0; j < f.d; j++) mean[j] += f.data[i * f.d + j];
  }
  for (let j = 0; j < f.d; j++) mean[j] /= f.n;
  for (let i = 0; i < f.n; i++) {
    for (let j = 0; j < f.d; j++) sq[j] += (f.data[i * f.d + j] - mean[j]) ** 2;
  }
  return {
    mean: Float32Array.from(mean),
    std: Float32Array.from(sq, (s) => Math.max(Math.sqrt(s / f.n), eps)),
  };
}

export function standardize(f: Features, s: Standardizer): Features {
  const out = new Float32Array(f.data.length);
  for (let i = 0; i < f.n; i++) {
    for (let j = 0; j < f.d; j++) out[i * f.d + j] = (f.data[i * f.d + j] - s.mean[j]) / s.std[j];
  }
  return { data: out, n: f.n, d: f.d };
}

/**
 * A linear map on standardized features, rewritten to act on raw ones:
 * ((x − μ)/σ)·W + b = x·W' + b' with W' = W/σ (per input row), b' = b − (μ/σ)·W. kernel [d, c] row-major.
 */
export function foldStandardizer(s: Standardizer, kernel: Float32Array, bias: Float32Array): { kernel: Float32Array; bias: Float32Array } {
  const d = s.mean.length;
  const c = bias.length;
  const folded = { kernel: new Float32Array(kernel.length), bias: Float32Array.from(bias) };
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < c; k++) {
      folded.kernel[j * c + k] = kernel[j * c + k] / s.std[j];
      folded.bias[k] -= (s.mean[j] / s.std[j]) * kernel[j * c + k];
    }
  }
  return folded;
}

export function toTensor(f: Features): tf.Tensor2D {
  return tf.tensor2d(f.data, [f.n, f.d]);
}

/** Rows at `positions` as a tensor [b, d], copied in JS (tf.gather on wasm is ~30× slower for this). */
export function rowsTensor(f: Features, positions: ArrayLike<number>): tf.Tensor2D {
  return toTensor(selectRows(f, positions));
}
