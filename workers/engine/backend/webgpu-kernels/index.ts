/**
 * Pretext's WebGPU kernels, registered over tfjs-backend-webgpu's where those are slow (see
 * each file for what it replaces and why). Tested against the CPU backend in webgpu-kernels.test.ts.
 * Must run after the package registered its kernels (registerKernel on a taken name only warns and
 * overwrites, which would lose the stock kernel that ours falls back to) and before
 * tf.setBackend("webgpu").
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { conv2dBackpropFilterConfig, keepStockConv2dBackpropFilter } from "./conv2d-backprop-filter";

/** Each replacement with the hook that hands it the stock kernel for the cases it leaves alone. */
const replacements: Array<[KernelConfig, (stock: KernelConfig) => void]> = [
  [conv2dBackpropFilterConfig, keepStockConv2dBackpropFilter],
];

let registered = false;

export function registerWebGpuKernels(): void {
  if (registered) return;
  for (const [config, keepStock] of replacements) {
    const stock = getKernel(config.kernelName, "webgpu");
    if (!stock) throw new Error(`tfjs-backend-webgpu has no '${config.kernelName}' kernel: load the package before registering Pretext's`);
    keepStock(stock);
    unregisterKernel(config.kernelName, "webgpu");
    registerKernel({ ...config, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc });
  }
  registered = true;
}
