/**
 * Picks and initialises the TensorFlow.js backend for the ML engine, best first:
 * tfjs-node-gpu > tfjs-node > wasm > cpu. The native ones are optional dependencies that often
 * cannot install, so they are loaded with a dynamic import and skipped when missing.
 *
 *   const { name } = await initBackend();          // best available, or $PRETEXT_BACKEND
 *   await initBackend("wasm");                      // force one; throws if it is unavailable
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core's node bundle registers no gradients (the @tensorflow/tfjs union package normally does).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import path from "node:path";
import { registerWasmKernels } from "./wasm-kernels";
import { withWasmThreads } from "./wasm-threads";
import { BACKEND_NAMES, type BackendName } from "../../../server/jobs/configs/common";

export { BACKEND_NAMES, type BackendName };

export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, reason: string) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

let active: BackendName | null = null;
/** Why a backend could not be loaded, so a second attempt fails fast with the same reason. */
const failures = new Map<BackendName, string>();

export async function initBackend(preference?: string): Promise<{ name: BackendName }> {
  const wanted = parsePreference(preference ?? process.env.PRETEXT_BACKEND);
  if (wanted) {
    if (active !== wanted) await activate(wanted);
    return { name: wanted };
  }
  if (active) return { name: active };
  for (const candidate of BACKEND_NAMES) {
    try {
      await activate(candidate);
      return { name: candidate };
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${[...failures].map(([n, r]) => `${n}: ${r}`).join("; ")}`);
}

/** The backend chosen by initBackend, as recorded on a run ("none" before initialisation). */
export function backendName(): string {
  return active ?? "none";
}

function parsePreference(value: string | undefined): BackendName | null {
  if (value === undefined || value === "") return null;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`unknown backend '${value}' (from argument or PRETEXT_BACKEND): expected one of ${BACKEND_NAMES.join(", ")}`);
}

async function activate(name: BackendName): Promise<void> {
  const failed = failures.get(name);
  if (failed) throw new BackendUnavailableError(name, failed);
  try {
    await loaders[name]();
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    failures.set(name, reason);
    throw new BackendUnavailableError(name, reason);
  }
  active = name;
}

const loaders: Record<BackendName, () => Promise<void>> = {
  "tensorflow-gpu": () => loadNative("@tensorflow/tfjs-node-gpu"),
  tensorflow: () => loadNative("@tensorflow/tfjs-node"),
  wasm: async () => {
    registerWasmKernels();
    setWasmPathsOnce();
    const threads = wasmThreadsFromEnv();
    if (threads > 1) await withWasmThreads(threads, () => setBackend("wasm"));
    else await setBackend("wasm");
  },
  cpu: () => setBackend("cpu"),
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
