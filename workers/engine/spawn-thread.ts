/** Worker threads whose entry module may be TypeScript, as it is when Pretext runs through tsx. */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Loader hooks registered by `node --import tsx` do not reach worker threads in Node 20, so a
 * TypeScript entry registers tsx itself before it is imported.
 */
export function spawnThread(entry: URL, options: WorkerOptions = {}): Worker {
  const resolve = (specifier: string) => JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href);
  const boot = entry.pathname.endsWith(".ts")
    ? `Promise.all([import(${resolve("tsx/esm/api")}), import(${resolve("tsx/cjs/api")})])
         .then(([esm, cjs]) => { cjs.register(); esm.register(); return import(${JSON.stringify(entry.href)}); })`
    : `import(${JSON.stringify(entry.href)})`;
  return new Worker(boot, { ...options, eval: true });
}
