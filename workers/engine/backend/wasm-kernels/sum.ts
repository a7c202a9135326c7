/**
 * Sum for wasm over leading axes (e.g. a bias gradient: [n, h, w, c] → [c]) as one JS pass over
 * the heap. The stock kernel first transposes the reduced axes to the end, a full strided copy
 * that made bias gradients cost more than the convolutions. Other reductions use the stock kernel.
 */
import { Sum, util, type TensorInfo } from "@tensorflow/tfjs-core";
import { f32View, makeOutput } from "./heap";
import { runStockKernel, wasmKernel } from "./kernel-calls";

export const sumConfig = wasmKernel(Sum, (args) => {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== "float32") return runStockKernel(Sum, args);

  const kept = x.shape.slice(axes.length);
  const width = kept.reduce((p, d) => p * d, 1);
  const rows = util.sizeFromShape(x.shape) / width;
  const out = makeOutput(backend, keepDims ? [...axes.map(() => 1), ...kept] : kept, "float32");
  const acc = new Float64Array(width); // float64 accumulation: no drift over ~10^6 rows
  const xs = f32View(backend, x);
  const rows4 = rows - (rows % 4);
  let at = 0;
  for (let r = 0; r < rows4; r += 4, at += 4 * width) { // four rows per pass: a quarter of the acc traffic
    for (let i = 0, a = at; i < width; i++, a++) acc[i] += xs[a] + xs[a + width] + xs[a + 2 * width] + xs[a + 3 * width];
  }
  for (; at < xs.length; at += width) for (let i = 0; i < width; i++) acc[i] += xs[at + i];
  f32View(backend, out).set(acc);
  return out;
});
