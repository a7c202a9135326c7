/**
 * The inference runtime of served encoders: onnxruntime-node where it loads (an optional
 * dependency), else the tfjs interpreter in tfjs-onnx.ts. Both check the model against its spec and
 * run it once on a blank sample when loading, so a model that cannot be served fails at load.
 *
 *   const model = await loadModel(onnxBytes, spec);
 *   const { embedding, dim } = await model.run(preprocess(raw, n, spec), n);   // embedding: [n, dim]
 *
 * Environment: PRETEXT_SERVE_RUNTIME=tfjs | onnxruntime-node forces one (default: onnxruntime-node
 * when it loads); PRETEXT_ORT_EXECUTION_PROVIDERS lists onnxruntime's providers in order of
 * preference, comma-separated (default "cpu"; e.g. "cuda,cpu").
 */
import { PretextError } from "@/server/errors";
import { sampleSize, type ModelSpec } from "@/server/registry/model-spec";
import type { Tensor } from "@tensorflow/tfjs-core";
import type { onnx as Onnx } from "onnx-proto";
import { checkSpecAgainstModel, decodeOnnx, summarizeOnnx } from "./onnx-model";

export type ServingRuntime = "onnxruntime-node" | "tfjs";

export interface InferenceOutput {
  /** [n, dim], row-major */
  embedding: Float32Array;
  dim: number;
  /** [n, classes], where the spec names a probabilities output */
  probabilities?: Float32Array;
  classes?: number;
}

export interface LoadedModel {
  runtime: ServingRuntime;
  /** `input`: n preprocessed samples, [n, ...spec.shape] row-major. */
  run(input: Float32Array, n: number): Promise<InferenceOutput>;
  dispose(): Promise<void>;
}

/** The part of onnxruntime-node used here, typed locally so that tsc passes where the optional package is absent. */
interface Ort {
  InferenceSession: { create(model: Uint8Array, options: { executionProviders: string[]; graphOptimizationLevel: "all" }): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => OrtTensor;
}
interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

let ortLoading: Promise<Ort | Error> | undefined;

function loadOrt(): Promise<Ort | Error> {
  // A variable specifier, ignored by webpack: resolved by Node at run time, and absent packages are no build error.
  const specifier: string = "onnxruntime-node";
  ortLoading ??= import(/* webpackIgnore: true */ specifier).then(
    (m: { default?: Ort } & Ort) => m.default ?? m,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return ortLoading;
}

export async function servingRuntime(): Promise<ServingRuntime> {
  const forced = process.env.PRETEXT_SERVE_RUNTIME || undefined;
  if (forced === "tfjs") return "tfjs";
  if (forced !== undefined && forced !== "onnxruntime-node") {
    throw new PretextError(500, `PRETEXT_SERVE_RUNTIME: '${forced}' is not a runtime (tfjs or onnxruntime-node)`);
  }
  const ort = await loadOrt();
  if (!(ort instanceof Error)) return "onnxruntime-node";
  if (forced) throw new PretextError(500, `PRETEXT_SERVE_RUNTIME: onnxruntime-node cannot be loaded (${firstLine(ort)})`);
  return "tfjs";
}

type Infer = (input: Float32Array, n: number) => Promise<{ embedding: Float32Array; probabilities?: Float32Array }>;

/** `threads`: onnxruntime's intra-op threads (default: one per core); a shadow candidate takes 1 so live requests keep the other cores. */
export async function loadModel(bytes: Uint8Array, spec: ModelSpec, options: { threads?: number } = {}): Promise<LoadedModel> {
  const model = decodeOnnx(bytes);
  checkSpecAgainstModel(spec, summarizeOnnx(model));
  const runtime = await servingRuntime();
  const fetches = spec.probabilitiesOutput ? [spec.embeddingOutput, spec.probabilitiesOutput] : [spec.embeddingOutput];
  const { infer, dispose } = runtime === "onnxruntime-node" ? await ortInfer(bytes, spec, fetches, options.threads) : await tfjsInfer(model, spec, fetches);
  const loaded: LoadedModel = { runtime, run: checkedRun(spec, infer), dispose };
  try {
    await loaded.run(new Float32Array(sampleSize(spec)), 1);
  } catch (err) {
    await dispose();
    if (err instanceof PretextError) throw err;
    throw new PretextError(400, `file: the model fails on one sample of shape [${spec.shape}] (${firstLine(err)})`);
  }
  return loaded;
}

/** Checks the input's size and turns the outputs' sizes into per-sample widths. */
function checkedRun(spec: ModelSpec, infer: Infer): LoadedModel["run"] {
  const size = sampleSize(spec);
  const width = (values: Float32Array, n: number, field: string) => {
    if (values.length === 0 || values.length % n !== 0) throw new PretextError(400, `${field}: the model's output has ${values.length} values for ${n} samples`);
    return values.length / n;
  };
  return async (input, n) => {
    if (!Number.isInteger(n) || n < 1) throw new PretextError(400, `n: must be a positive integer, got ${n}`);
    if (input.length !== n * size) throw new PretextError(400, `input: expected ${n} samples of [${spec.shape}] = ${n * size} values, got ${input.length}`);
    const { embedding, probabilities } = await infer(input, n);
    const dim = width(embedding, n, "embeddingOutput");
    return probabilities ? { embedding, dim, probabilities, classes: width(probabilities, n, "probabilitiesOutput") } : { embedding, dim };
  };
}

function executionProvidersFromEnv(): string[] {
  const list = (process.env.PRETEXT_ORT_EXECUTION_PROVIDERS ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  return list.length ? list : ["cpu"];
}

async function ortInfer(bytes: Uint8Array, spec: ModelSpec, fetches: string[], threads?: number): Promise<{ infer: Infer; dispose: () => Promise<void> }> {
  const ort = (await loadOrt()) as Ort;
  const executionProviders = executionProvidersFromEnv();
  const create = (providers: string[]) =>
    ort.InferenceSession.create(bytes, { executionProviders: providers, graphOptimizationLevel: "all", ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}) });
  let session: OrtSession;
  try {
    session = await create(executionProviders);
  } catch (err) {
    // where the CPU provider loads the model, the configured providers were at fault, not the file
    const cpuLoads = executionProviders.join() !== "cpu" && (await create(["cpu"]).then((s) => s.release().then(() => true), () => false));
    if (cpuLoads) throw new PretextError(500, `PRETEXT_ORT_EXECUTION_PROVIDERS: onnxruntime cannot use ${executionProviders} (${firstLine(err)})`);
    throw new PretextError(400, `file: onnxruntime cannot load the model (${firstLine(err)})`);
  }
  const size = sampleSize(spec);
  const runChunk = async (input: Float32Array, n: number) => {
    const out = await session.run({ [spec.inputName]: new ort.Tensor("float32", input, [n, ...spec.shape]) }, fetches);
    // checkSpecAgainstModel made sure both outputs are float32
    return fetches.map((name) => out[name].data as Float32Array);
  };
  return {
    infer: async (input, n) => {
      if (n <= ORT_CHUNK) {
        const [embedding, probabilities] = await runChunk(input, n);
        return { embedding, probabilities };
      }
      const parts: Float32Array[][] = [];
      for (let i = 0; i < n; i += ORT_CHUNK) {
        const m = Math.min(ORT_CHUNK, n - i);
        parts.push(await runChunk(input.subarray(i * size, (i + m) * size), m));
      }
      const [embedding, probabilities] = fetches.map((_, k) => concat(parts.map((p) => p[k])));
      return { embedding, probabilities };
    },
    dispose: () => session.release(),
  };
}

/**
 * Larger batches run in chunks of this many samples: onnxruntime's CPU convolutions keep a chunk's
 * activations in cache (the reference CNN: ~22,000 images/s in chunks of 64 against ~20,000 at 256).
 */
const ORT_CHUNK = 64;

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function tfjsInfer(model: Onnx.ModelProto, spec: ModelSpec, fetches: string[]): Promise<{ infer: Infer; dispose: () => Promise<void> }> {
  // loaded only here, so that a server running onnxruntime never initialises tfjs
  const [tf, { tfjsOnnxGraph, tfjsReady }] = await Promise.all([import("@tensorflow/tfjs-core"), import("./tfjs-onnx")]);
  await tfjsReady();
  const graph = tfjsOnnxGraph(model);
  return {
    infer: async (input, n) => {
      const x = tf.tensor(input, [n, ...spec.shape], "float32");
      let outputs: Tensor[] = [];
      try {
        outputs = graph.run({ [spec.inputName]: x }, fetches);
        const [embedding, probabilities] = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
        return { embedding, probabilities };
      } finally {
        tf.dispose([x, ...outputs]);
      }
    },
    dispose: async () => graph.dispose(),
  };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0];
