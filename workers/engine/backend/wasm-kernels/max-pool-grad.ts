/**
 * MaxPoolGrad for wasm as a JS loop over the heap: the stock kernel takes ~10x longer than the
 * forward pool (it dominated the CNN backward pass). Same semantics as the CPU backend: each
 * window's gradient goes to its first maximum (row-major window order).
 */
import { backend_util, MaxPoolGrad, type TensorInfo } from "@tensorflow/tfjs-core";
import { wasmKernel } from "./kernel-calls";
import { f32View, makeOutput } from "./heap";

export const maxPoolGradConfig = wasmKernel(MaxPoolGrad, ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: "valid" | "same" | number | backend_util.ExplicitPadding;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const out = makeOutput(backend, input.shape, "float32");
  const dx = f32View(backend, out);
  const x = f32View(backend, input);
  const windowsTile = info.padInfo.top === 0 && info.padInfo.left === 0 && info.inHeight % 2 === 0 && info.inWidth % 2 === 0;
  const is2x2 = [info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth].every((v) => v === 2);
  dx.fill(0);
  if (is2x2 && windowsTile) routeTiled2x2(x, f32View(backend, dy), dx, info);
  else scatterToFirstMax(x, f32View(backend, dy), dx, info);
  return out;
});

/** The common 2×2/2 pool over even sizes: windows tile the input, one store per window. */
function routeTiled2x2(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inWidth, inChannels: c, outHeight, outWidth } = info;
  const rowStride = inWidth * c;
  let dyAt = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      let top = (n * info.inHeight + 2 * oh) * rowStride;
      for (let ow = 0; ow < outWidth; ow++, top += 2 * c) {
        for (let ch = 0; ch < c; ch++, dyAt++) {
          const a = top + ch; // window in row-major order: a, b / d, e
          const b = a + c;
          const d = a + rowStride;
          const e = d + c;
          let at = a;
          let best = x[a];
          if (x[b] > best) best = x[(at = b)];
          if (x[d] > best) best = x[(at = d)];
          if (x[e] > best) at = e;
          dx[at] = dy[dyAt];
        }
      }
    }
  }
}

function scatterToFirstMax(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(c);
  const bestAt = new Int32Array(c);
  let dyAt = 0;
  for (let n = 0; n < batchSize; n++) {
    const xBatch = n * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hFrom = Math.max(0, h0);
      const hTo = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, dyAt += c) {
        const w0 = ow * strideWidth - left;
        const wFrom = Math.max(0, w0);
        const wTo = Math.min(inWidth, w0 + filterWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let h = hFrom; h < hTo; h++) {
          for (let w = wFrom; w < wTo; w++) {
            const base = xBatch + (h * inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                bestAt[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) if (bestAt[ch] >= 0) dx[bestAt[ch]] += dy[dyAt + ch];
      }
    }
  }
}
