/**
 * The WebGPU backend under Node: Dawn's Node binding (npm `webgpu`, its Linux binary ships inside
 * the package) with @tensorflow/tfjs-backend-webgpu and Pretext's own kernels where tfjs's are
 * slow (./webgpu-kernels). Dawn reaches the GPU through Vulkan (Debian: libvulkan1 and the
 * driver's ICD; on CPU machines Mesa 25's llvmpipe from bookworm-backports is a software adapter).
 *
 * A software adapter computes correctly but slower than wasm, so automatic selection refuses it;
 * forcing the backend (`backend: "webgpu"`, PRETEXT_BACKEND=webgpu) accepts it.
 */
import * as tf from "@tensorflow/tfjs-core";
import { registerWebGpuKernels } from "./webgpu-kernels";

/** What ran a run's kernels, as recorded on the run ("NVIDIA H200 (nvidia, Vulkan)", …). */
export interface AdapterInfo {
  vendor: string;
  description: string;
  software: boolean;
}

export class SoftwareAdapterError extends Error {
  constructor(readonly adapter: AdapterInfo) {
    super(`only a software adapter is available (${describeAdapter(adapter)}); it is used only when webgpu is asked for by name`);
    this.name = "SoftwareAdapterError";
  }
}

export function describeAdapter(a: AdapterInfo): string {
  return `${a.description || "unknown adapter"} (${[a.vendor || "unknown vendor", a.software ? "software" : ""].filter(Boolean).join(", ")})`;
}

interface Opened {
  /** Dawn's instance: it must outlive every device (collecting it crashes Dawn's callbacks). */
  gpu: GPU;
  adapter: GPUAdapter;
  raw: GPUAdapterInfo;
  info: AdapterInfo;
}

let opened: Promise<Opened> | null = null;
let registered = false;

/** Dawn and its adapter, once per process (a second `create` would open a second instance). */
function openAdapter(): Promise<Opened> {
  opened ??= (async () => {
    // A variable specifier: the binding is a native addon that bundlers must leave alone.
    const specifier: string = "webgpu";
    const dawn = (await import(specifier)) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
    // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, … as globals, as in a browser.
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) throw new Error("Dawn found no WebGPU adapter (no Vulkan driver? Debian: libvulkan1 and mesa-vulkan-drivers or the GPU vendor's driver)");
    // GPUAdapter.info and isFallbackAdapter are newer than the @webgpu/types that tfjs pins.
    const raw = (adapter as GPUAdapter & { info: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
    const info: AdapterInfo = {
      vendor: raw.vendor,
      description: raw.description || raw.device,
      software: raw.isFallbackAdapter === true || raw.architecture === "software",
    };
    return { gpu, adapter, raw, info };
  })();
  opened.catch(() => (opened = null));
  return opened;
}

/**
 * Registers and sets the `webgpu` backend on the process's adapter; throws SoftwareAdapterError
 * when only a software adapter exists and `allowSoftware` is false. Returns the adapter.
 */
export async function activateWebGpu(allowSoftware: boolean): Promise<AdapterInfo> {
  const { gpu, adapter, raw, info } = await openAdapter();
  if (info.software && !allowSoftware) throw new SoftwareAdapterError(info);
  if (!registered) {
    // Imported here, not at the top: the package reads the WebGPU globals set above when it loads.
    const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
    // WebGPUBackend checks navigator.gpu, which Node 20 lacks; set only now, or the package would
    // have registered its own factory on import. It also holds Dawn's instance for the process.
    const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: GPU };
    if (!nav.gpu) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
    registerWebGpuKernels();
    tf.registerBackend("webgpu", async () => {
      // The limits tfjs's own factory asks for: the adapter's maxima for buffers and workgroups.
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has("timestamp-query") ? ["timestamp-query"] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          // tfjs binds one storage buffer per input (AddN, Concat): the default of 8 is too few
          maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        },
      });
      return new WebGPUBackend(device, raw);
    }, 0);
    registered = true;
  }
  if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') failed");
  await tf.ready();
  return info;
}
