/**
 * Conv2DBackpropFilter for wasm (the stock backend has none), as XNNPACK matMuls over an im2col of
 * the input:
 *
 * dW[(kh,kw,ci), co] = Σ_{(n,oh,ow)} P[(kh,kw,ci), (n,oh,ow)] · dy[(n,oh,ow), co]
 * P[(kh,kw,ci), (n,oh,ow)] = x[n, oh·sh + kh − pt, ow·sw + kw − pl, ci]   (0 in the padding)
 *
 * dy is used as stored ([n·oh·ow, co] is its NHWC layout) and the product comes out in the
 * filter's [kh, kw, ci, co] layout, so nothing is transposed. P is built by a JS loop over the
 * heap in blocks of output positions (the block's input pixels stay in cache while it is spread
 * over kh·kw·ci rows). This replaced convolutions with dy as the filter, which needed large
 * transposes of dy: measured back-to-back, the CNN's first layer (ci = 1) got ~2.5× faster and
 * the second (32 → 64) about as fast.
 */
import { backend_util, Conv2DBackpropFilter, type TensorInfo } from "@tensorflow/tfjs-core";
import type { ConvBackpropAttrs } from "./conv-attrs";
import { f32View, makeOutput } from "./heap";
import { KernelCalls, wasmKernel } from "./kernel-calls";

/**
 * Floats of both matMul operands per chunk of output positions. XNNPACK's GEMM streams the whole
 * inner dimension for every output tile, so one product over all n·oh·ow positions runs from main
 * memory; chunks of ~4 MiB, summed, were measured ~2× faster on the CNN's second layer.
 */
const CHUNK_FLOATS = 1 << 20;
const MIN_CHUNK = 512;
const BLOCK = 128; // output positions per im2col block

export const conv2DBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as ConvBackpropAttrs & { filterShape: [number, number, number, number] };
  if (dataFormat === "NCHW") throw new Error("wasm Conv2DBackpropFilter supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize, outHeight, outWidth, filterHeight, filterWidth, inChannels, outChannels } = info;
  const rows = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const chunk = Math.max(MIN_CHUNK, Math.floor(CHUNK_FLOATS / (rows + outChannels)));

  const k = new KernelCalls(backend);
  let sum: TensorInfo | null = null;
  for (let start = 0; start < positions; start += chunk) {
    const count = Math.min(chunk, positions - start);
    const patches = makeOutput(backend, [1, rows, count], "float32");
    const dyPart = makeOutput(backend, [1, count, outChannels], "float32");
    // Views only after the allocations: growing the heap detaches older ones.
    im2colRows(f32View(backend, x), f32View(backend, patches), info, start, count);
    f32View(backend, dyPart).set(f32View(backend, dy).subarray(start * outChannels, (start + count) * outChannels));
    const part = k.run("BatchMatMul", { a: patches, b: dyPart }, { transposeA: false, transposeB: false }); // [1, rows, co]
    k.release(patches, dyPart);
    if (sum) {
      const next = k.run("Add", { a: sum, b: part });
      k.release(sum, part);
      sum = next;
    } else sum = part;
  }
  const out = k.reshape(sum!, filterShape);
  k.release(sum!);
  return out;
});

/** p[r, j] = P[r, start + j] for j < count, with P as in the header. */
function im2colRows(x: Float32Array, p: Float32Array, info: backend_util.Conv2DInfo, start: number, count: number): void {
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Per position of a block: its image's offset in x and the window's top-left input row/column.
  const imageAt = new Int32Array(BLOCK);
  const rowAt = new Int32Array(BLOCK);
  const colAt = new Int32Array(BLOCK);
  const source = new Int32Array(BLOCK); // per position, for one tap: index of x[n, iy, ix, 0], or −1 in the padding
  let ox = start % ow;
  let oy = Math.floor(start / ow) % oh;
  let n = Math.floor(start / (ow * oh));
  for (let b0 = 0; b0 < count; b0 += BLOCK) {
    const size = Math.min(BLOCK, count - b0);
    for (let j = 0; j < size; j++) {
      imageAt[j] = n * h * w * ci;
      rowAt[j] = oy * sh - top;
      colAt[j] = ox * sw - left;
      if (++ox === ow) {
        ox = 0;
        if (++oy === oh) {
          oy = 0;
          n++;
        }
      }
    }
    for (let fh = 0; fh < kh; fh++) {
      for (let fw = 0; fw < kw; fw++) {
        for (let j = 0; j < size; j++) {
          const iy = rowAt[j] + fh;
          const ix = colAt[j] + fw;
          source[j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? imageAt[j] + (iy * w + ix) * ci : -1;
        }
        let row = (fh * kw + fw) * ci * count + b0;
        for (let c = 0; c < ci; c++, row += count) {
          for (let j = 0; j < size; j++) {
            const s = source[j];
            p[row + j] = s < 0 ? 0 : x[s + c];
          }
        }
      }
    }
  }
}
