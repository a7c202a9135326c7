/**
 * Tile, Reverse and broadcasting Equal for wasm as single JS passes over the heap: the stock
 * kernels index every element generically (~50–100 ns each), which made a flip augmentation, its
 * broadcast mask and the max-gradient of logSumExp cost as much as a dense layer.
 */
import { backend_util, Equal, Reverse, Tile, util, type TensorInfo } from "@tensorflow/tfjs-core";
import { runStockKernel, wasmKernel } from "./kernel-calls";
import { copyStrided, heapView, makeOutput, stridesOf, type HeapArray } from "./heap";

export const tileConfig = wasmKernel(Tile, (args) => {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === "string") return runStockKernel(Tile, args);
  const { reps } = attrs as { reps: number[] };
  // out viewed as [r0, d0, r1, d1, …]: x broadcast along every r.
  const strides = stridesOf(x.shape);
  const viewShape = x.shape.flatMap((d, i) => [reps[i], d]);
  const viewStrides = strides.flatMap((s) => [0, s]);
  const out = makeOutput(backend, x.shape.map((d, i) => d * reps[i]), x.dtype);
  copyStrided(heapView(backend, x), 0, viewStrides, heapView(backend, out), viewShape);
  return out;
});

export const reverseConfig = wasmKernel(Reverse, (args) => {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === "string") return runStockKernel(Reverse, args);
  const { dims } = attrs as { dims: number | number[] };
  const axes = util.parseAxisParam(dims, x.shape);
  const strides = stridesOf(x.shape);
  let offset = 0;
  const flipped = strides.map((s, d) => {
    if (!axes.includes(d)) return s;
    offset += (x.shape[d] - 1) * s;
    return -s;
  });
  const out = makeOutput(backend, x.shape, x.dtype);
  copyStrided(heapView(backend, x), offset, flipped, heapView(backend, out), x.shape);
  return out;
});

export const equalConfig = wasmKernel(Equal, (args) => {
  const { inputs, backend } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (util.arraysEqual(a.shape, b.shape) || a.dtype !== b.dtype) return runStockKernel(Equal, args);
  const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = makeOutput(backend, shape, "bool");
  const size = util.sizeFromShape(shape);
  const av = broadcastTo(heapView(backend, a), a.shape, shape);
  const bv = broadcastTo(heapView(backend, b), b.shape, shape);
  const result = heapView(backend, out);
  for (let i = 0; i < size; i++) result[i] = av[i] === bv[i] ? 1 : 0;
  return out;
});

/** A JS-side copy of x broadcast to shape (x's dims aligned to the right). */
function broadcastTo(x: HeapArray, xShape: number[], shape: number[]): HeapArray {
  if (util.arraysEqual(xShape, shape)) return x;
  const lead = shape.length - xShape.length;
  const xStrides = stridesOf(xShape);
  const strides = shape.map((_, d) => (d < lead || xShape[d - lead] === 1 ? 0 : xStrides[d - lead]));
  const out = new (x.constructor as new (size: number) => HeapArray)(util.sizeFromShape(shape));
  copyStrided(x, 0, strides, out, shape);
  return out;
}
