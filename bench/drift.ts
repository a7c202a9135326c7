/**
 * `npm run bench -- drift [--no-power]`:
 *   1. the MMD permutation test (server/drift/mmd.ts) on 2,000 × 2,000 samples of 128 dimensions
 *      with 100 permutations, beside the same computation in NumPy (bench/drift_numpy.py) in the
 *      same run. Target: ≤ 2 s and faster than NumPy.
 *   2. detection power on Fashion-MNIST embeddings of the reference encoder
 *      (examples/encoders/fashion-mnist-simclr.ptx, served by the serving runtime): a reference of
 *      2,000 test images against 20 windows of 500 others, brightened by 0.05, 0.1 and 0.2 (of the
 *      pixel range); the share of windows each test flags. False alarms: the share flagged without
 *      a shift, over three references (windows share their reference, so one reference alone says
 *      little: the rate varies from reference to reference). Target: false alarms ≤ 5 %.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { driftTestNames } from "@/drizzle/schema";
import { detectDrift } from "@/server/drift/detect";
import { mmdTest, type Samples } from "@/server/drift/mmd";
import { permutation, seededRandom } from "@/server/random";
import { pretextModelSpec } from "@/server/registry/model-spec";
import { exportToOnnx } from "@/server/registry/onnx-export";
import { preprocess } from "@/server/serving/preprocess";
import { loadModel } from "@/server/serving/runtime";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { printFigures, printTable } from "./lib/report";

const here = path.dirname(fileURLToPath(import.meta.url));

function gaussian(rows: number, dim: number, seed: number, shift: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) + shift;
  return out;
}

const SHIFTS = [0, 0.05, 0.1, 0.2];
const WINDOWS = 20;
const WINDOW = 500;
const REFERENCE = 2000;
const REFERENCE_SEEDS = [42, 43, 44];

/** Does each test flag `current` against `reference`? (the monitors' own verdicts, server/drift/figures.ts) */
function flags(reference: Samples, current: Samples, seed: number): Record<string, boolean> {
  const { flagged } = detectDrift(reference, current, driftTestNames, seed);
  return Object.fromEntries(driftTestNames.map((test) => [test, flagged.includes(test)]));
}

async function detectionPower(): Promise<{ rows: (string | number)[][]; figures: Record<string, number> }> {
  const onnx = exportToOnnx(readFileSync(path.resolve(here, "../examples/encoders/fashion-mnist-simclr.ptx")));
  const spec = pretextModelSpec([28, 28, 1], false);
  const model = await loadModel(onnx, spec);
  const test = (await loadDataset({ kind: "fashion-mnist" })).test!;
  const pixels = test.x as Uint8Array;
  const embed = async (ids: ArrayLike<number>, shift: number): Promise<Samples> => {
    const raw = new Float32Array(ids.length * 784);
    for (let i = 0; i < ids.length; i++) for (let p = 0; p < 784; p++) raw[i * 784 + p] = Math.min(255, pixels[ids[i] * 784 + p] + shift * 255);
    const { embedding, dim } = await model.run(preprocess(raw, ids.length, spec), ids.length);
    return { data: Float32Array.from(embedding), rows: ids.length, dim };
  };
  const flagged: Record<string, Record<number, number>> = {};
  for (const [r, referenceSeed] of REFERENCE_SEEDS.entries()) {
    const order = permutation(10_000, seededRandom(referenceSeed));
    const reference = await embed(order.subarray(0, REFERENCE), 0);
    const pool = order.subarray(REFERENCE);
    // every reference for the false alarms; the first for the shifts
    for (const shift of r === 0 ? SHIFTS : [0]) {
      const windows = shift === 0 ? WINDOWS * REFERENCE_SEEDS.length : WINDOWS;
      for (let w = 0; w < WINDOWS; w++) {
        const ids = permutation(pool.length, seededRandom(1000 + w)).subarray(0, WINDOW).map((i) => pool[i]);
        for (const [test, hit] of Object.entries(flags(reference, await embed(ids, shift), w))) {
          flagged[test] ??= {};
          flagged[test][shift] = (flagged[test][shift] ?? 0) + (hit ? 1 : 0) / windows;
        }
      }
    }
  }
  await model.dispose();
  const figures: Record<string, number> = {};
  const rows = Object.entries(flagged).map(([test, byShift]) => {
    for (const shift of SHIFTS.slice(1)) figures[`power_${test}_${shift}`] = Number(byShift[shift].toFixed(2));
    return [test, ...SHIFTS.map((s) => `${Math.round(byShift[s] * 100)} %`)];
  });
  const alarms = Object.values(flagged).map((byShift) => byShift[0]);
  figures.false_alarm_rate = Number((alarms.reduce((a, b) => a + b, 0) / alarms.length).toFixed(3));
  return { rows, figures };
}

export async function main(args: string[]) {
  const n = 2000;
  const permutations = 100;
  const dim = 128;
  const x = { data: gaussian(n, dim, 1, 0), rows: n, dim };
  const y = { data: gaussian(n, dim, 2, 0.05), rows: n, dim };
  mmdTest({ ...x, rows: 200 }, { ...y, rows: 200 }, { permutations: 10 }); // warm the JIT
  const times: number[] = [];
  let result = mmdTest(x, y, { permutations: 0 });
  for (let round = 0; round < 2; round++) {
    const started = performance.now();
    result = mmdTest(x, y, { permutations, seed: round });
    times.push(performance.now() - started);
  }
  const ms = Math.min(...times);
  const py = spawnSync("python3", [path.join(here, "drift_numpy.py"), String(n), String(n), String(dim), String(permutations)], { encoding: "utf8" });
  const numpyMs = py.status === 0 ? Number(py.stdout.trim().split(" ")[0]) : NaN;
  printTable(`MMD permutation test: ${n} × ${n} samples, ${dim} dimensions, ${permutations} permutations (ms, lower is better; target ≤ 2,000 and below NumPy)`, ["implementation", "ms"], [
    ["Pretext (TypeScript, one thread)", Math.round(ms)],
    ["NumPy (bench/drift_numpy.py)", py.status === 0 ? Math.round(numpyMs) : `unavailable: ${py.stderr.trim().split("\n").at(-1)}`],
  ]);
  console.log(`MMD² ${result.mmd2.toPrecision(4)}, p = ${result.pValue} (a mean shift of 0.05 in every dimension)`);
  const figures: Record<string, string | number> = { bench: "drift", samples: n, dim, permutations, mmd_ms: Math.round(ms), numpy_mmd_ms: Math.round(numpyMs) };
  if (!args.includes("--no-power")) {
    const started = performance.now();
    const power = await detectionPower();
    printTable(
      `share of ${WINDOWS} windows of ${WINDOW} flagged against ${REFERENCE} Fashion-MNIST test images, embeddings of the reference encoder, by brightness shift (+0: false alarms over ${REFERENCE_SEEDS.length} references, target ≤ 5 %)`,
      ["test", ...SHIFTS.map((s) => `+${s}`)],
      power.rows,
    );
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
    Object.assign(figures, power.figures);
  }
  printFigures(figures);
}
