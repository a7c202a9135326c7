/**
 * Multi-threaded XNNPACK for the wasm backend under Node. tfjs-backend-wasm ships a threaded SIMD
 * build whose Emscripten glue supports Node worker_threads, but tfjs turns it off in Node
 * (WASM_HAS_MULTITHREAD_SUPPORT is false there, tensorflow/tfjs#3830) because it hands Emscripten
 * its pthread worker script and main script as Blob URLs, which Node's Worker cannot load.
 * This writes both scripts to a temporary directory and points Emscripten at the files, only
 * while the backend initialises.
 *
 * XNNPACK splits each operator's output tiles across the threads, so results do not depend on
 * the thread count. Its pool size is fixed at start-up from emscripten_num_logical_cores() / 2
 * (tfjs assumes two hyper-threads per core; Node reports os.cpus()), which is also set here.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

interface PThreadModule {
  PThread?: { runningWorkers: Array<{ unref(): void }> };
}

/**
 * Runs `init` (which must set the wasm backend) with the threaded build and `threads` XNNPACK
 * threads; returns the thread count the backend reports.
 */
export async function withWasmThreads(threads: number, init: () => Promise<void>): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`wasm threads must be an integer ≥ 2, got ${threads}`);
  const scripts = writeThreadScripts();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  // The worker script is the only application/javascript Blob tfjs turns into a URL.
  URL.createObjectURL = (blob: Blob) => (blob.type === "application/javascript" ? scripts.worker : createObjectURL(blob));
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  try {
    await init();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  const wasm = (tf.backend() as unknown as BackendWasm).wasm as unknown as PThreadModule;
  // Idle pool threads must not keep the process alive once the main thread is done.
  for (const worker of wasm.PThread?.runningWorkers ?? []) worker.unref();
  return (tf.backend() as unknown as BackendWasm).wasm.tfjs.getThreadsCount();
}

/** The pthread worker script (patched to load the main script from a file) and the main script. */
function writeThreadScripts(): { worker: string; main: string } {
  const require = createRequire(import.meta.url);
  const out = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "..", "wasm-out");
  const { wasmWorkerContents } = require(path.join(out, "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string };
  const factory = require(path.join(out, "tfjs-backend-wasm-threaded-simd.js")) as { default?: () => unknown } & (() => unknown);
  const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-wasm-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const main = path.join(dir, "main.js");
  // What tfjs puts in its Blob: the factory's source, evaluated by the worker with importScripts.
  writeFileSync(main, `var WasmBackendModuleThreadedSimd = ${(factory.default ?? factory).toString()}`);
  const worker = path.join(dir, "worker.cjs");
  writeFileSync(worker, `{
  // The main thread sends the main script as a Blob; hand the worker its file path instead.
  const port = require("worker_threads").parentPort;
  const on = port.on.bind(port);
  port.on = (event, fn) => on(event, event !== "message" ? fn : (data) => {
    if (data && data.cmd === "load" && typeof data.urlOrBlob !== "string") data.urlOrBlob = ${JSON.stringify(main)};
    fn(data);
  });
}
${wasmWorkerContents.replace(/\n/g, "\\n")}`);
  return { worker, main };
}
