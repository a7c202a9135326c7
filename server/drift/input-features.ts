/**
 * A compact representation of raw inputs for the drift tests, and per-value summaries.
 * Images (as a model spec lays them out): per-image mean and std of intensity and the mean of each
 * cell of a 4×4 grid, 18 numbers that follow brightness, contrast and where things are. Vectors:
 * the features themselves up to 32, beyond that a fixed random projection to 32 (Johnson–
 * Lindenstrauss keeps distances, which MMD and the classifier use).
 */
import type { FeatureStats, ModelSpec } from "@/drizzle/schema";
import { sampleSize } from "@/server/registry/model-spec";
import { seededRandom } from "@/server/random";
import type { Samples } from "./mmd";

const GRID = 4;
const MAX_FLAT = 32;
/** Features of a vector input summarized one by one, at most */
const MAX_SUMMARIZED = 256;

export interface InputSummary {
  mean: number;
  std: number;
  missingRate: number;
}

/** Mean, std and missing share over every value of every input (missing: not finite). */
export function summarizeInputs(raw: Float32Array): InputSummary {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const v of raw) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sq += v * v;
  }
  const mean = n ? sum / n : NaN;
  return { mean, std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN, missingRate: raw.length ? 1 - n / raw.length : 0 };
}

export function inputFeatures(raw: Float32Array, n: number, spec: Pick<ModelSpec, "shape" | "layout">): Samples {
  return spec.layout === "flat" ? vectorFeatures(raw, n, sampleSize(spec)) : imageFeatures(raw, n, spec);
}

function imageFeatures(raw: Float32Array, n: number, spec: Pick<ModelSpec, "shape" | "layout">): Samples {
  const [h, w, c] = spec.layout === "nhwc" ? spec.shape : [spec.shape[1], spec.shape[2], spec.shape[0]];
  const size = h * w * c;
  const dim = 2 + GRID * GRID;
  const out = new Float32Array(n * dim);
  const cells = new Float64Array(GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  for (let i = 0; i < n; i++) {
    const x = raw.subarray(i * size, (i + 1) * size);
    cells.fill(0);
    counts.fill(0);
    let sum = 0;
    let sq = 0;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const cell = Math.floor((y * GRID) / h) * GRID + Math.floor((xx * GRID) / w);
        for (let ch = 0; ch < c; ch++) {
          const v = finite(spec.layout === "nhwc" ? x[(y * w + xx) * c + ch] : x[ch * h * w + y * w + xx]);
          sum += v;
          sq += v * v;
          cells[cell] += v;
          counts[cell]++;
        }
      }
    }
    const mean = sum / size;
    out[i * dim] = mean;
    out[i * dim + 1] = Math.sqrt(Math.max(0, sq / size - mean * mean));
    for (let k = 0; k < GRID * GRID; k++) out[i * dim + 2 + k] = counts[k] ? cells[k] / counts[k] : 0;
  }
  return { data: out, rows: n, dim };
}

function vectorFeatures(raw: Float32Array, n: number, size: number): Samples {
  if (size <= MAX_FLAT) return { data: Float32Array.from(raw.subarray(0, n * size), finite), rows: n, dim: size };
  // a fixed gaussian projection: the same for every window and reference
  const random = seededRandom(size);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const projection = Float32Array.from({ length: size * MAX_FLAT }, () => gaussian() / Math.sqrt(MAX_FLAT));
  const out = new Float32Array(n * MAX_FLAT);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < size; j++) {
      const v = finite(raw[i * size + j]);
      if (v === 0) continue;
      for (let k = 0; k < MAX_FLAT; k++) out[i * MAX_FLAT + k] += v * projection[j * MAX_FLAT + k];
    }
  }
  return { data: out, rows: n, dim: MAX_FLAT };
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/**
 * Per-feature mean, std and missing share: each feature of a vector (the first 256), or for images
 * the per-image intensity mean and std and each grid cell's mean (missing: non-finite pixels).
 */
export function featureSummaries(raw: Float32Array, n: number, spec: Pick<ModelSpec, "shape" | "layout">): { names: string[]; stats: FeatureStats } {
  if (spec.layout === "flat") {
    const size = sampleSize(spec);
    const count = Math.min(size, MAX_SUMMARIZED);
    const names = Array.from({ length: count }, (_, k) => `feature ${k}`);
    return { names, stats: columnStats(count, n, (i, k) => raw[i * size + k]) };
  }
  const features = imageFeatures(raw, n, spec);
  const [h, w, c] = spec.layout === "nhwc" ? spec.shape : [spec.shape[1], spec.shape[2], spec.shape[0]];
  const names = ["intensity mean", "intensity std", ...Array.from({ length: GRID * GRID }, (_, k) => `cell ${Math.floor(k / GRID)},${k % GRID} mean`)];
  const stats = columnStats(features.dim, n, (i, k) => features.data[i * features.dim + k]);
  // missing pixels: over the whole image for the first two, per cell for the rest
  const size = h * w * c;
  const missing = new Float64Array(features.dim);
  const cellPixels = new Float64Array(GRID * GRID);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) cellPixels[Math.floor((y * GRID) / h) * GRID + Math.floor((x * GRID) / w)] += c;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < size; p++) {
      if (Number.isFinite(raw[i * size + p])) continue;
      const pixel = spec.layout === "nhwc" ? Math.floor(p / c) : p % (h * w);
      const [y, x] = [Math.floor(pixel / w), pixel % w];
      missing[0]++;
      missing[2 + Math.floor((y * GRID) / h) * GRID + Math.floor((x * GRID) / w)]++;
    }
  }
  stats.missing = Array.from(missing, (m, k) => (n === 0 ? 0 : k < 2 ? missing[0] / (n * size) : cellPixels[k - 2] ? m / (n * cellPixels[k - 2]) : 0));
  return { names, stats };
}

function columnStats(columns: number, n: number, value: (row: number, column: number) => number): FeatureStats {
  const stats: FeatureStats = { mean: [], std: [], missing: [] };
  for (let k = 0; k < columns; k++) {
    let count = 0;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = value(i, k);
      if (!Number.isFinite(v)) continue;
      count++;
      sum += v;
      sq += v * v;
    }
    const mean = count ? sum / count : NaN;
    stats.mean.push(mean);
    stats.std.push(count ? Math.sqrt(Math.max(0, sq / count - mean * mean)) : NaN);
    stats.missing.push(n ? 1 - count / n : 0);
  }
  return stats;
}
