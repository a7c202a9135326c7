/**
 * Synthetic distribution shifts for `pretext simulate`: covariate shifts that change sample values
 * (brightness, contrast, rotation, noise, blur) and a class-prior shift that changes which samples
 * are drawn. Pure functions over raw values in the dataset's own units.
 *
 *   const shift = parseShift("rotation=15");
 *   const shifted = applyShift(x, n, [28, 28, 1], shift, seededRandom(1), [0, 255]);
 */
import { z } from "zod";

const num = (what: string, lo: string, hi: string) => z.number({ error: `${what} must be a number from ${lo} to ${hi}` });

export const shiftSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("brightness"),
      amount: num("brightness", "-1", "1")
        .min(-1, "brightness must be at least -1 (a fraction of the value range)")
        .max(1, "brightness must be at most 1 (a fraction of the value range)"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("contrast"),
      factor: num("contrast", "above 0", "10").gt(0, "contrast must be above 0 (1 leaves values unchanged)").max(10, "contrast must be at most 10"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("rotation"),
      degrees: num("rotation", "-180", "180").min(-180, "rotation must be at least -180 degrees").max(180, "rotation must be at most 180 degrees"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("noise"),
      std: num("noise", "0", "1").min(0, "noise std must be at least 0").max(1, "noise std must be at most 1 (a fraction of the value range)"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("blur"),
      sigma: num("blur", "above 0", "10").gt(0, "blur sigma must be above 0 (pixels)").max(10, "blur sigma must be at most 10 (pixels)"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("prior"),
      weights: z
        .array(z.number({ error: "prior weights must be numbers" }).min(0, "prior weights must not be negative"))
        .min(1, "prior needs one weight per class")
        .refine((ws) => ws.some((w) => w > 0), "prior needs at least one weight above 0"),
    })
    .strict(),
]);

export type Shift = z.infer<typeof shiftSchema>;

/** Each kind's one parameter, as the CLI form `kind=value` names it. */
const PARAM = { brightness: "amount", contrast: "factor", rotation: "degrees", noise: "std", blur: "sigma", prior: "weights" } as const;
const KINDS = Object.keys(PARAM) as (keyof typeof PARAM)[];

/** Parses `brightness=0.3`, `contrast=1.5`, `rotation=15`, `noise=0.1`, `blur=1.5` or `prior=1,1,0,5`. */
export function parseShift(text: string): Shift {
  const eq = text.indexOf("=");
  if (eq < 0) throw new Error(`--drift: expected kind=value (e.g. brightness=0.3), got "${text}"`);
  const kind = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (!(KINDS as string[]).includes(kind)) throw new Error(`--drift: unknown kind "${kind}" (known: ${KINDS.join(", ")})`);
  const k = kind as keyof typeof PARAM;
  const number = (s: string) => {
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n)) throw new Error(`--drift ${k}: "${s}" is not a number`);
    return n;
  };
  const param = k === "prior" ? value.split(",").map(number) : number(value);
  const parsed = shiftSchema.safeParse({ kind: k, [PARAM[k]]: param });
  if (!parsed.success) throw new Error(`--drift ${k}=${value}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

/**
 * A shifted copy of n samples (row-major, each of `shape`: [h, w, c] for images, [features] for
 * tabular rows). `range` is the values' [min, max]: brightness and noise are fractions of its width,
 * and image values are clipped to it (tabular values are not: a feature has no hard bounds).
 */
export function applyShift(x: Float32Array, n: number, shape: number[], shift: Shift, rng: () => number, range: [number, number]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length !== n * size) throw new Error(`applyShift: ${x.length} values are not ${n} samples of [${shape}]`);
  const image = shape.length === 3;
  const [lo, hi] = range;
  const clip = image ? (v: number) => (v < lo ? lo : v > hi ? hi : v) : (v: number) => v;
  const out = new Float32Array(x);
  switch (shift.kind) {
    case "brightness": {
      const delta = shift.amount * (hi - lo);
      for (let i = 0; i < out.length; i++) out[i] = clip(out[i] + delta);
      return out;
    }
    case "contrast":
      for (let s = 0; s < n; s++) {
        const row = out.subarray(s * size, (s + 1) * size);
        let mean = 0;
        for (const v of row) mean += v;
        mean /= size;
        for (let i = 0; i < size; i++) row[i] = clip((row[i] - mean) * shift.factor + mean);
      }
      return out;
    case "noise": {
      if (shift.std === 0) return out;
      const std = shift.std * (hi - lo);
      const gauss = normals(rng);
      for (let i = 0; i < out.length; i++) out[i] = clip(out[i] + std * gauss());
      return out;
    }
    case "rotation":
      for (let s = 0; s < n; s++) rotate(x.subarray(s * size, (s + 1) * size), imageShape(shape, "rotation"), shift.degrees, out.subarray(s * size, (s + 1) * size));
      return out;
    case "blur":
      for (let s = 0; s < n; s++) blur(out.subarray(s * size, (s + 1) * size), imageShape(shape, "blur"), shift.sigma);
      return out;
    case "prior":
      return out; // changes which samples are drawn (drawIndices), not their values
  }
}

function imageShape(shape: number[], kind: string): [number, number, number] {
  if (shape.length !== 3) throw new Error(`--drift ${kind} needs images (samples of shape [h, w, c]); these samples are [${shape}]`);
  return shape as [number, number, number];
}

/** Standard normal draws by Box–Muller, both values of each pair used. */
function normals(rng: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rng())); // 1 - u is in (0, 1]: no log(0)
    const t = 2 * Math.PI * rng();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** Counter-clockwise (as displayed, y down) rotation about the centre, bilinear; pixels from outside are 0. */
function rotate(src: Float32Array, [h, w, c]: [number, number, number], degrees: number, dst: Float32Array): void {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v); // cos(90°) is 6e-17, not 0
  const at = (y: number, x: number, ch: number) => (y >= 0 && y < h && x >= 0 && x < w ? src[(y * w + x) * c + ch] : 0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // inverse map: the source point that lands on (x, y)
      const dx = x - cx;
      const dy = y - cy;
      const sx = snap(cx + dx * cos - dy * sin);
      const sy = snap(cy + dx * sin + dy * cos);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const top = at(y0, x0, ch) * (1 - fx) + at(y0, x0 + 1, ch) * fx;
        const bottom = at(y0 + 1, x0, ch) * (1 - fx) + at(y0 + 1, x0 + 1, ch) * fx;
        dst[(y * w + x) * c + ch] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}

/** Normalised gaussian taps for offsets -r..r, r = ceil(3σ). */
function gaussianKernel(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable gaussian blur in place, per channel; edges repeat the border pixel (a constant image stays constant). */
function blur(img: Float32Array, [h, w, c]: [number, number, number], sigma: number): void {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(img.length);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * img[(y * w + clamp(x + i, w)) * c + ch];
        tmp[(y * w + x) * c + ch] = s;
      }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r] * tmp[(clamp(y + i, h) * w + x) * c + ch];
        img[(y * w + x) * c + ch] = s;
      }
}

/**
 * `n` sample indices out of `count`: uniform, or (with `weights`, one per class) by class prior —
 * a class is drawn in proportion to its weight among the classes present, then a sample of it uniformly.
 */
export function drawIndices(labels: Int32Array | null, count: number, n: number, rng: () => number, weights?: number[]): Int32Array {
  if (count <= 0) throw new Error("drawIndices: the dataset has no samples");
  const out = new Int32Array(n);
  if (!weights) {
    for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * count);
    return out;
  }
  if (!labels) throw new Error("--drift prior needs a labelled dataset: these samples have no labels");
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    if (l >= 0 && l < weights.length && weights[l] > 0) {
      const list = byClass.get(l);
      if (list) list.push(i);
      else byClass.set(l, [i]);
    }
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  if (classes.length === 0) throw new Error(`--drift prior=${weights.join(",")}: no class with a weight above 0 has samples in this dataset`);
  const cumulative: number[] = [];
  let total = 0;
  for (const c of classes) cumulative.push((total += weights[c]));
  for (let i = 0; i < n; i++) {
    const u = rng() * total;
    let j = 0;
    while (j < classes.length - 1 && u >= cumulative[j]) j++;
    const members = byClass.get(classes[j])!;
    out[i] = members[Math.floor(rng() * members.length)];
  }
  return out;
}
