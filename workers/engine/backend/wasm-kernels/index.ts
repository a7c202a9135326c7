/**
 * Replacement and missing kernels that make the wasm backend able (and fast enough) to train
 * CNNs. Must run after the wasm package registered its kernels and before tf.setBackend("wasm"),
 * because the engine runs each kernel's setupFunc when the backend is set.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { batchMatMulConfig, fusedMatMulConfig } from "./batch-mat-mul";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input";
import { equalConfig, reverseConfig, tileConfig } from "./data-movement";
import { identityConfig } from "./identity";
import { captureStockKernel } from "./kernel-calls";
import { maxPoolGradConfig } from "./max-pool-grad";
import { sumConfig } from "./sum";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum";

const replacements: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  sumConfig,
  tileConfig,
  reverseConfig,
  equalConfig,
  identityConfig,
];

/** Kernels the replacements call directly; captured before anything is replaced. */
const buildingBlocks = ["Add", "Conv2D", "Transpose", "Reshape", "Slice", "PadV2", "Reverse", "OneHot", "Cast", "BatchMatMul", "_FusedMatMul", "Sum", "Equal", "Tile"];

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  buildingBlocks.forEach(captureStockKernel);
  for (const config of replacements) {
    const stock = getKernel(config.kernelName, "wasm");
    if (stock) unregisterKernel(config.kernelName, "wasm");
    // Keep the stock setupFunc: the stock kernelFunc we may delegate to needs it to have run.
    registerKernel({ ...config, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
  }
  registered = true;
}
