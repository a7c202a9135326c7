/**
 * A model spec's preprocessing, x' = (x · scale − mean[c]) / std[c] for channel c, applied to n
 * samples of raw values laid out as spec.shape (nhwc: channel fastest; nchw: channel slowest;
 * flat: one channel). mean defaults to 0 and std to 1; a single value serves every channel.
 *
 *   const input = preprocess(raw, n, spec);   // ready for LoadedModel.run(input, n)
 */
import { PretextError } from "@/server/errors";
import { sampleSize, type ModelSpec } from "@/server/registry/model-spec";

export function preprocess(values: Float32Array, n: number, spec: ModelSpec): Float32Array {
  const size = sampleSize(spec);
  if (values.length !== n * size) throw new PretextError(400, `inputs: expected ${n} samples of [${spec.shape}] = ${n * size} values, got ${values.length}`);
  const channels = spec.layout === "nhwc" ? spec.shape[2] : spec.layout === "nchw" ? spec.shape[0] : 1;
  const mean = Array.from({ length: channels }, (_, c) => pick(spec.mean, c, 0));
  const std = Array.from({ length: channels }, (_, c) => pick(spec.std, c, 1));
  const plane = size / channels; // nchw: values per channel within a sample
  const channelOf = channels === 1 ? () => 0 : spec.layout === "nhwc" ? (i: number) => i % channels : (i: number) => Math.floor((i % size) / plane);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    out[i] = (values[i] * spec.scale - mean[c]) / std[c];
  }
  return out;
}

const pick = (v: number[] | undefined, c: number, fallback: number) => (v ? v[v.length === 1 ? 0 : c] : fallback);
