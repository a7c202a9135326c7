/**
 * Conv2DBackpropInput for wasm: the stock kernel is a naive loop; the input gradient is a plain
 * convolution of dy (zero-dilated by the forward stride) with the spatially flipped filter whose
 * in/out channels are swapped, so it runs on the fast XNNPACK Conv2D.
 *
 * dx[n,h,w,ci] = Σ_{kh,kw,co} dyDilated[n, h + pt − kh, w + pl − kw, co] · W[kh,kw,ci,co]
 */
import { backend_util, Conv2DBackpropInput, type TensorInfo } from "@tensorflow/tfjs-core";
import type { ConvBackpropAttrs } from "./conv-attrs";
import { conv2dNHWC, KernelCalls, wasmKernel } from "./kernel-calls";

export const conv2DBackpropInputConfig = wasmKernel(Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as ConvBackpropAttrs & { inputShape: [number, number, number, number] };
  if (dataFormat === "NCHW") throw new Error("wasm Conv2DBackpropInput supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;

  const k = new KernelCalls(backend);
  const dyd = k.dilate(dy, sh, sw); // [n, oh·sh, ow·sw, co]
  const flipped = k.run("Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = k.transpose(flipped, [0, 1, 3, 2]); // [kh, kw, co, ci]
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const out = conv2dNHWC(k, dyd, swapped, {
    pads: [[padTop, h - dyd.shape[1] - padTop + kh - 1], [padLeft, w - dyd.shape[2] - padLeft + kw - 1]],
  });
  k.release(dyd, flipped, swapped);
  return out;
});
