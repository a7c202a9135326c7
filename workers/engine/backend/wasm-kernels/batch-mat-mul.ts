/**
 * BatchMatMul and _FusedMatMul for wasm with transposeA/transposeB: the stock kernels fall off the
 * XNNPACK path when an operand is transposed (~15x slower), and every matMul gradient transposes
 * one. Transposing explicitly first and calling the untransposed fast path is much cheaper.
 */
import { BatchMatMul, _FusedMatMul, type KernelConfig, type TensorInfo } from "@tensorflow/tfjs-core";
import { KernelCalls, runStockKernel, wasmKernel } from "./kernel-calls";

function untransposed(kernelName: string): KernelConfig {
  return wasmKernel(kernelName, (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return runStockKernel(kernelName, args);
    const k = new KernelCalls(backend);
    const a2 = transposeA ? swapLastTwo(k, a) : k.alias(a);
    const b2 = transposeB ? swapLastTwo(k, b) : k.alias(b);
    const out = runStockKernel(kernelName, { inputs: { ...inputs, a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    k.release(a2, b2);
    return out;
  });
}

function swapLastTwo(k: KernelCalls, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return k.transpose(x, perm);
}

export const batchMatMulConfig = untransposed(BatchMatMul);
export const fusedMatMulConfig = untransposed(_FusedMatMul);
