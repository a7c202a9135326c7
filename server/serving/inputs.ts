/**
 * A request's inputs → one Float32Array of raw values (the units the encoder's dataset holds, e.g.
 * pixel values 0-255), laid out as the model's per-sample shape. Each input is either numbers
 * (flat, or nested as the shape) or a base64 PNG/JPEG image (a data: URL is fine), which is decoded
 * and resized as image-folder datasets are.
 */
import { badInput, PretextError } from "@/server/errors";
import { decodeImageBytes, writeResized } from "@/server/images";
import { sampleSize, type ModelSpec } from "@/server/registry/model-spec";

export const MAX_EMBED_BATCH = 1024;

export interface DecodedInputs {
  raw: Float32Array;
  n: number;
}

export function decodeInputs(inputs: unknown, spec: ModelSpec): DecodedInputs {
  if (!Array.isArray(inputs)) throw badInput("inputs: must be an array of inputs (arrays of numbers, or base64 PNG/JPEG images)");
  if (inputs.length === 0) throw badInput("inputs: must hold at least one input");
  if (inputs.length > MAX_EMBED_BATCH) throw new PretextError(413, `inputs: ${inputs.length} inputs is over the limit of ${MAX_EMBED_BATCH} per request`);
  const size = sampleSize(spec);
  const raw = new Float32Array(inputs.length * size);
  inputs.forEach((input, i) => {
    const out = raw.subarray(i * size, (i + 1) * size);
    if (typeof input === "string") writeImage(input, spec, out, `inputs.${i}`);
    else if (Array.isArray(input)) writeNumbers(input, spec, out, `inputs.${i}`);
    else throw badInput(`inputs.${i}: must be an array of numbers or a base64 PNG/JPEG image, got ${input === null ? "null" : typeof input}`);
  });
  return { raw, n: inputs.length };
}

function writeNumbers(input: unknown[], spec: ModelSpec, out: Float32Array, field: string): void {
  // flat, or nested as the shape: copied depth-first without building intermediate arrays
  let j = 0;
  const copy = (values: unknown[], depth: number): void => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === "number" && Number.isFinite(v)) {
        if (j < out.length) out[j] = v;
        j++;
      } else if (Array.isArray(v) && depth < spec.shape.length) copy(v, depth + 1);
      else throw badInput(`${field}: value ${j} must be a finite number, got ${JSON.stringify(v) ?? typeof v}`);
    }
  };
  copy(input, 1);
  if (j !== out.length) throw badInput(`${field}: expected ${out.length} numbers (one sample of shape [${spec.shape}]), got ${j}`);
}

function writeImage(input: string, spec: ModelSpec, out: Float32Array, field: string): void {
  if (spec.layout === "flat") throw badInput(`${field}: this encoder takes vectors of ${out.length} numbers, not images`);
  const [h, w, c] = spec.layout === "nhwc" ? spec.shape : [spec.shape[1], spec.shape[2], spec.shape[0]];
  if (c !== 1 && c !== 3) throw badInput(`${field}: images need an encoder with 1 or 3 channels, this one takes ${c}`);
  const base64 = input.replace(/^data:[\w/+.-]+;base64,/, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw badInput(`${field}: not base64 (an image must be a base64 PNG or JPEG)`);
  let pixels: Uint8Array;
  try {
    const img = decodeImageBytes(Buffer.from(base64, "base64"));
    pixels = new Uint8Array(h * w * c);
    writeResized(img, h, w, c, pixels);
  } catch (err) {
    throw badInput(`${field}: undecodable image (${(err as Error).message})`);
  }
  if (spec.layout === "nhwc") out.set(pixels);
  else for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[ch * h * w + p] = pixels[p * c + ch];
}
