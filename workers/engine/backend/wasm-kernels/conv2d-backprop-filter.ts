/**
 * Conv2DBackpropFilter for wasm (the stock backend has none). The filter gradient is itself a
 * convolution over the batch, so it runs on the fast XNNPACK Conv2D in one of two layouts:
 *
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh − pt, ow·s + kw − pl, ci] · dy[n,oh,ow,co]
 *
 * - x-major: x with batch and channels swapped is the input, dy the (large) filter dilated by
 *   the stride; the GEMM has ci·kh·kw rows and co columns.
 * - dy-major: dy (zero-dilated by the stride) is the input, x the filter; co·kh·kw rows and ci
 *   columns, and the output comes out spatially flipped. Faster once ci is wide enough to fill
 *   the GEMM's columns (measured: second CNN layer 231 vs 280 ms; first layer, ci = 1, far slower).
 */
import { backend_util, Conv2DBackpropFilter, type TensorInfo } from "@tensorflow/tfjs-core";
import type { ConvBackpropAttrs } from "./conv-attrs";
import { conv2dNHWC, KernelCalls, wasmKernel } from "./kernel-calls";

const DY_MAJOR_MIN_IN_CHANNELS = 16;

export const conv2DBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as ConvBackpropAttrs & { filterShape: [number, number, number, number] };
  if (dataFormat === "NCHW") throw new Error("wasm Conv2DBackpropFilter supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const k = new KernelCalls(backend);
  return info.inChannels >= DY_MAJOR_MIN_IN_CHANNELS ? dyMajor(k, x, dy, info) : xMajor(k, x, dy, info);
});

function xMajor(k: KernelCalls, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const xT = k.transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]: channels become the batch
  const dyT = k.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]: dy becomes the filter
  const grad = conv2dNHWC(k, xT, dyT, {
    pads: [[top, kh - h - top + sh * (oh - 1)], [left, kw - w - left + sw * (ow - 1)]],
    dilations: [sh, sw],
  }); // [ci, kh, kw, co]
  const out = k.transpose(grad, [1, 2, 0, 3]);
  k.release(xT, dyT, grad);
  return out;
}

function dyMajor(k: KernelCalls, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const dyd = k.dilate(dy, sh, sw); // row r = oh·s meets x row r + kh − pt
  const dyT = k.transpose(dyd, [3, 1, 2, 0]); // [co, oh·s, ow·s, n]
  const xT = k.transpose(x, [1, 2, 0, 3]); // [h, w, n, ci]: x becomes the filter
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const flipped = conv2dNHWC(k, dyT, xT, {
    pads: [[padTop, kh - 1 + h - dyT.shape[1] - padTop], [padLeft, kw - 1 + w - dyT.shape[2] - padLeft]],
  }); // [co, kh, kw, ci], spatially reversed
  const grad = k.run("Reverse", { x: flipped }, { dims: [1, 2] });
  const out = k.transpose(grad, [1, 2, 3, 0]);
  k.release(dyd, dyT, xT, flipped, grad);
  return out;
}
