/**
 * Direct calls to the stock WASM kernels from inside replacement kernels.
 *
 * A kernel function must not go through `tf.*` ops (that would record nested ops on the gradient
 * tape), so replacements compose the original kernel functions on raw TensorInfos instead. Every
 * TensorInfo returned here owns one reference and must be released with `release`.
 */
import { getKernel, type KernelBackend, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from "@tensorflow/tfjs-core";

export interface WasmKernelArgs { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs: NamedAttrMap }

/** A kernel config for the wasm backend (tfjs types the backend argument as `{}`). */
export function wasmKernel(kernelName: string, kernelFunc: (args: WasmKernelArgs) => TensorInfo): KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => kernelFunc({ inputs, backend: backend as KernelBackend, attrs: attrs ?? {} }),
  };
}

/** Captured before any replacement is registered, so a replacement never calls itself. */
const stockKernels = new Map<string, NonNullable<ReturnType<typeof getKernel>>>();

export function captureStockKernel(name: string): NonNullable<ReturnType<typeof getKernel>> {
  const known = stockKernels.get(name);
  if (known) return known;
  const kernel = getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm backend has no '${name}' kernel to build on`);
  stockKernels.set(name, kernel);
  return kernel;
}

/** Delegates to the stock kernel (for the cases a replacement does not improve on). */
export function runStockKernel(name: string, args: WasmKernelArgs): TensorInfo {
  return new KernelCalls(args.backend).run(name, args.inputs as Record<string, TensorInfo>, args.attrs);
}

export class KernelCalls {
  constructor(private readonly backend: KernelBackend) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const out = captureStockKernel(name).kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`kernel '${name}' returned several outputs`);
    return out;
  }

  release(...infos: TensorInfo[]): void {
    for (const info of infos) this.backend.disposeData(info.dataId);
  }

  /** A second handle on the same data (counted, so releasing it never frees the caller's tensor). */
  alias(x: TensorInfo): TensorInfo {
    this.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  /** Pads (positive) or crops (negative) each axis by [before, after]. */
  padOrCrop(x: TensorInfo, edges: Array<[number, number]>): TensorInfo {
    const crop = edges.map(([b, a]) => [Math.max(0, -b), Math.max(0, -a)]);
    let cur = this.alias(x);
    if (crop.some(([b, a]) => b > 0 || a > 0)) {
      const begin = crop.map(([b]) => b);
      const size = x.shape.map((d, i) => d - crop[i][0] - crop[i][1]);
      const sliced = this.run("Slice", { x: cur }, { begin, size });
      this.release(cur);
      cur = sliced;
    }
    const pad = edges.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]);
    if (pad.some(([b, a]) => b > 0 || a > 0)) {
      const padded = this.run("PadV2", { x: cur }, { paddings: pad, constantValue: 0 });
      this.release(cur);
      cur = padded;
    }
    return cur;
  }

  /** Inserts stride−1 zeros after every row/column of an NHWC tensor (a strided conv's "holes"). */
  dilate(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return this.alias(x);
    const [n, h, w, c] = x.shape;
    const spread = this.reshape(x, [n, h, 1, w, 1, c]);
    const padded = this.padOrCrop(spread, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    const out = this.reshape(padded, [n, h * sh, w * sw, c]);
    this.release(spread, padded);
    return out;
  }
}

export interface ConvWindow {
  /** Rows/cols added before and after the input: negative values crop instead. */
  pads: [[number, number], [number, number]];
  strides?: [number, number];
  dilations?: [number, number];
}

/** NHWC conv2d through the stock (XNNPACK) kernel, with explicit and possibly negative padding. */
export function conv2dNHWC(k: KernelCalls, x: TensorInfo, filter: TensorInfo, w: ConvWindow): TensorInfo {
  const [[top, bottom], [left, right]] = w.pads;
  const cropped = k.padOrCrop(x, [[0, 0], [Math.min(0, top), Math.min(0, bottom)], [Math.min(0, left), Math.min(0, right)], [0, 0]]);
  const pad = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  const out = k.run("Conv2D", { x: cropped, filter }, {
    strides: w.strides ?? [1, 1],
    dilations: w.dilations ?? [1, 1],
    pad: pad as unknown as NamedAttrMap[string],
    dataFormat: "NHWC",
  });
  k.release(cropped);
  return out;
}
