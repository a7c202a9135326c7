/**
 * Typed-array views of wasm tensors, for the few kernels written as plain JS loops over the wasm
 * heap (memory-bound work where the stock C++ kernels use slow generic indexing).
 * Take views only after the last allocation: growing the heap detaches older views.
 */
import type { DataType, KernelBackend, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export function heapView(backend: KernelBackend, info: TensorInfo): HeapArray {
  const wasm = backend as unknown as BackendWasm;
  const { memoryOffset } = wasm.dataIdMap.get(info.dataId) as { memoryOffset: number };
  const size = info.shape.reduce((p, d) => p * d, 1);
  const buffer = wasm.wasm.HEAPU8.buffer;
  if (info.dtype === "float32") return new Float32Array(buffer, memoryOffset, size);
  if (info.dtype === "int32") return new Int32Array(buffer, memoryOffset, size);
  if (info.dtype === "bool") return new Uint8Array(buffer, memoryOffset, size);
  throw new Error(`no heap view for dtype ${info.dtype}`);
}

export function f32View(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== "float32") throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return heapView(backend, info) as Float32Array;
}

export function makeOutput(backend: KernelBackend, shape: number[], dtype: DataType): TensorInfo {
  return (backend as unknown as BackendWasm).makeOutput(shape, dtype);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) strides[i] = s;
  return strides;
}

/**
 * dst[i] = src[offset + Σ_d index_d(i) · srcStrides[d]] over every index of outShape: one pass
 * for broadcasting (stride 0), reversal (negative stride) and tiling (broadcast of a reshape).
 */
export function copyStrided(src: HeapArray, offset: number, srcStrides: number[], dst: HeapArray, outShape: number[]): void {
  const rank = outShape.length;
  if (rank === 0) {
    dst[0] = src[offset];
    return;
  }
  const inner = outShape[rank - 1];
  const innerStride = srcStrides[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let base = offset;
  for (let at = 0; at < dst.length; at += inner) {
    for (let i = 0, s = base; i < inner; i++, s += innerStride) dst[at + i] = src[s];
    for (let d = rank - 2; d >= 0; d--) {
      base += srcStrides[d];
      if (++index[d] < outShape[d]) break;
      base -= srcStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
}
