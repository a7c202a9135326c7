/**
 * `npm run bench -- NAME [args…]` runs bench/NAME.ts, which exports `main(args)`.
 * Benchmarks measure; tests never assert timings (DESIGN.md).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.slice(0, -3));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [args…]`);
  process.exit(2);
}
const bench = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { main: (args: string[]) => Promise<void> };
await bench.main(args);
