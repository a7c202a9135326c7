/**
 * UnsortedSegmentSum for wasm (missing there; it is the gradient of tf.gather, e.g. MAE token
 * selection): out = oneHot(segmentIds)ᵀ · x, one fast matMul. Ids outside [0, numSegments) are
 * dropped, as in TensorFlow.
 */
import { UnsortedSegmentSum, type TensorInfo } from "@tensorflow/tfjs-core";
import { KernelCalls, wasmKernel } from "./kernel-calls";

export const unsortedSegmentSumConfig = wasmKernel(UnsortedSegmentSum, ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const k = new KernelCalls(backend);
  const n = segmentIds.shape.reduce((p, d) => p * d, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const width = rest.reduce((p, d) => p * d, 1);

  const ids = k.reshape(segmentIds, [n]);
  // The wasm OneHot kernel writes int32 whatever dtype it is asked for, so cast explicitly.
  const hotInt = k.run("OneHot", { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: "int32" }); // [n, s]
  const hot = k.run("Cast", { x: hotInt }, { dtype: "float32" });
  const hotT = k.transpose(hot, [1, 0]);
  const hot3 = k.reshape(hotT, [1, numSegments, n]);
  const flat = k.reshape(x, [1, n, width]);
  const xf = x.dtype === "float32" ? k.alias(flat) : k.run("Cast", { x: flat }, { dtype: "float32" });
  const sum = k.run("BatchMatMul", { a: hot3, b: xf }, { transposeA: false, transposeB: false }); // [1, s, width]
  const typed = x.dtype === "float32" ? k.alias(sum) : k.run("Cast", { x: sum }, { dtype: x.dtype });
  const out = k.reshape(typed, [numSegments, ...rest]);
  k.release(ids, hotInt, hot, hotT, hot3, flat, xf, sum, typed);
  return out;
});
