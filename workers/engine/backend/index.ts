/**
 * Picks and initialises the TensorFlow.js backend for the ML engine, best first:
 * tfjs-node-gpu > webgpu on a hardware adapter > tfjs-node > wasm > cpu. The native ones are
 * optional dependencies that often cannot install, so they are loaded with a dynamic import and
 * skipped when missing; webgpu (./webgpu.ts) needs a Vulkan driver.
 *
 *   const { name, device } = await initBackend();  // best available, or $PRETEXT_BACKEND
 *   await initBackend("wasm");                      // force one; throws if it is unavailable
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core's node bundle registers no gradients (the @tensorflow/tfjs union package normally does).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { registerWasmKernels } from "./wasm-kernels";
import { withWasmThreads } from "./wasm-threads";
import { activateWebGpu, describeAdapter, SoftwareAdapterError } from "./webgpu";
import { BACKEND_NAMES, type BackendName } from "../../../server/jobs/configs/common";

export { BACKEND_NAMES, type BackendName };

export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, readonly reason: string) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

/** A backend in use, and the device that runs its kernels (as recorded on the run). */
export interface ActiveBackend {
  name: BackendName;
  device: string;
}

let active: ActiveBackend | null = null;
/** Why a backend could not be loaded, so a second attempt fails fast with the same reason. */
const failures = new Map<BackendName, string>();

export async function initBackend(preference?: string): Promise<ActiveBackend> {
  const wanted = parsePreference(preference ?? process.env.PRETEXT_BACKEND);
  if (wanted) {
    if (active?.name !== wanted) await activate(wanted, true);
    return active!;
  }
  if (active) return active;
  const skipped: string[] = [];
  for (const candidate of BACKEND_NAMES) {
    try {
      await activate(candidate, false);
      return active!;
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      skipped.push(`${candidate}: ${err.reason}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.join("; ")}`);
}

/** The backend chosen by initBackend, as recorded on a run ("none" before initialisation). */
export function backendName(): string {
  return active?.name ?? "none";
}

function parsePreference(value: string | undefined): BackendName | null {
  if (value === undefined || value === "") return null;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`unknown backend '${value}' (from argument or PRETEXT_BACKEND): expected one of ${BACKEND_NAMES.join(", ")}`);
}

/** `forced`: asked for by name, which is the only way a software WebGPU adapter is accepted. */
async function activate(name: BackendName, forced: boolean): Promise<void> {
  const failed = failures.get(name);
  if (failed) throw new BackendUnavailableError(name, failed);
  let device: string;
  try {
    device = await loaders[name](forced);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    // A software adapter is refused only in automatic selection: remember nothing.
    if (!(err instanceof SoftwareAdapterError)) failures.set(name, reason);
    throw new BackendUnavailableError(name, reason);
  }
  active = { name, device };
}

/** This machine's processor, for the backends that compute on it. */
function cpuDevice(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() || os.arch()} (${os.availableParallelism()} cores)`;
}

/** Each loader sets its backend and returns the device it computes on. */
const loaders: Record<BackendName, (forced: boolean) => Promise<string>> = {
  "tensorflow-gpu": async () => {
    await loadNative("@tensorflow/tfjs-node-gpu");
    return "CUDA GPU (libtensorflow)";
  },
  webgpu: async (forced) => describeAdapter(await activateWebGpu(forced)),
  tensorflow: async () => {
    await loadNative("@tensorflow/tfjs-node");
    return cpuDevice();
  },
  wasm: async () => {
    registerWasmKernels();
    setWasmPathsOnce();
    const threads = wasmThreadsFromEnv();
    if (threads > 1) await withWasmThreads(threads, () => setBackend("wasm"));
    else await setBackend("wasm");
    return cpuDevice();
  },
  cpu: async () => {
    await setBackend("cpu");
    return cpuDevice();
  },
};

async function loadNative(pkg: string): Promise<void> {
  // A variable specifier keeps bundlers and tsc from requiring the optional package to exist.
  const specifier: string = pkg;
  try {
    await import(specifier);
  } catch (err) {
    throw new Error(`${pkg} could not be loaded (optional dependency; needs libtensorflow${pkg.endsWith("gpu") ? " and CUDA" : ""}): ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  await setBackend("tensorflow");
}

async function setBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/** PRETEXT_WASM_THREADS: XNNPACK threads for the wasm backend (default 1, the stock Node behaviour). */
export function wasmThreadsFromEnv(): number {
  const raw = process.env.PRETEXT_WASM_THREADS;
  if (raw === undefined || raw === "") return 1;
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`PRETEXT_WASM_THREADS must be a positive integer, got '${raw}'`);
  return threads;
}

let wasmPathsSet = false;

/** Loads the .wasm binaries from node_modules on disk; nothing is fetched over the network. */
function setWasmPathsOnce(): void {
  if (wasmPathsSet) return;
  const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(path.dirname(entry) + path.sep);
  wasmPathsSet = true;
}
