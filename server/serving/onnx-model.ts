/**
 * Reads an uploaded ONNX model (https://onnx.ai/onnx/repo-docs/IR.html) far enough to tell what it
 * takes and gives, and checks a ModelSpec against it before any runtime sees the file.
 *
 *   const summary = inspectOnnx(bytes);          // { opset, producer, inputs, outputs }
 *   checkSpecAgainstModel(spec, summary);        // 400 naming the spec's field when they disagree
 */
import onnxProto, { type onnx as Onnx } from "onnx-proto";
import { PretextError } from "@/server/errors";
import type { ModelSpec } from "@/server/registry/model-spec";

// CommonJS: Node's ESM loader (tsx, the CLI) sees no named exports in it, so take the default.
const { onnx } = onnxProto;

export interface OnnxValue {
  name: string;
  /** "float32", "int64", "uint8", …: ONNX's element type, float/double spelled with their width. */
  elemType: string;
  /** Fixed sizes as numbers, symbolic ones ("batch") as strings, "?" where unnamed; [] when the graph leaves the rank unknown. */
  shape: (number | string)[];
}

export interface OnnxSummary {
  /** Version of the default ("ai.onnx") operator set. */
  opset: number;
  producer: string;
  /** The graph's inputs a caller must feed (initializers excluded). */
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

/** protobufjs decodes int64 fields as Long objects where the `long` package is present. */
export const int = (v: number | { toNumber(): number } | null | undefined): number => (v == null ? 0 : typeof v === "number" ? v : v.toNumber());

const notOnnx = (why: string) => new PretextError(400, `file: not an ONNX model (${why})`);

/** Decodes and sanity-checks the protobuf: protobuf is lenient enough that many non-ONNX byte strings decode. */
export function decodeOnnx(bytes: Uint8Array): Onnx.ModelProto {
  if (bytes.length === 0) throw notOnnx("empty file");
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw notOnnx(`protobuf decoding failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (int(model.irVersion) <= 0) throw notOnnx("no ir_version");
  if (!model.graph) throw notOnnx("no graph");
  if (!model.graph.output?.length) throw notOnnx("the graph has no outputs");
  if (defaultOpset(model) === undefined) throw notOnnx("no opset_import for the default domain");
  return model;
}

export function defaultOpset(model: Onnx.IModelProto): number | undefined {
  const entry = model.opsetImport?.find((o) => !o.domain || o.domain === "ai.onnx");
  return entry ? int(entry.version) : undefined;
}

export function summarizeOnnx(model: Onnx.ModelProto): OnnxSummary {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  return {
    opset: defaultOpset(model)!,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(" "),
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? "")).map(describeValue),
    outputs: (graph.output ?? []).map(describeValue),
  };
}

export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  return summarizeOnnx(decodeOnnx(bytes));
}

const elemTypeNames: Partial<Record<number, string>> = {
  [onnx.TensorProto.DataType.FLOAT]: "float32",
  [onnx.TensorProto.DataType.DOUBLE]: "float64",
  [onnx.TensorProto.DataType.FLOAT16]: "float16",
};

export function elemTypeName(type: number): string {
  return elemTypeNames[type] ?? onnx.TensorProto.DataType[type]?.toLowerCase() ?? `type ${type}`;
}

function describeValue(v: Onnx.IValueInfoProto): OnnxValue {
  const tensor = v.type?.tensorType;
  return {
    name: v.name ?? "",
    elemType: tensor ? elemTypeName(tensor.elemType ?? 0) : "not a tensor",
    // decoded messages inherit default values, so only an own dimValue is a size
    shape: (tensor?.shape?.dim ?? []).map((d) => d.dimParam || (Object.hasOwn(d, "dimValue") ? int(d.dimValue) : "?")),
  };
}

export function checkSpecAgainstModel(spec: ModelSpec, summary: OnnxSummary): void {
  const names = (values: OnnxValue[]) => values.map((v) => `"${v.name}"`).join(", ");
  const input = summary.inputs.find((v) => v.name === spec.inputName);
  if (!input) throw new PretextError(400, `inputName: the graph has no input "${spec.inputName}" (its inputs: ${names(summary.inputs)})`);
  if (summary.inputs.length > 1) {
    throw new PretextError(400, `inputName: the graph needs other inputs too (${names(summary.inputs.filter((v) => v !== input))}); only single-input models can be served`);
  }
  if (input.elemType !== "float32") throw new PretextError(400, `inputName: the graph's input "${input.name}" is ${input.elemType}; only float32 inputs are supported`);
  if (input.shape.length) {
    const [batch, ...sample] = input.shape;
    const shown = `[${input.shape.join(", ")}]`;
    if (input.shape.length !== spec.shape.length + 1) {
      throw new PretextError(400, `shape: [batch, ${spec.shape.join(", ")}] has rank ${spec.shape.length + 1}, the graph's input "${input.name}" is ${shown}`);
    }
    if (typeof batch === "number") {
      throw new PretextError(400, `inputName: the graph's input "${input.name}" is ${shown}, with a fixed batch size; export it with a dynamic batch axis (torch.onnx.export(…, dynamic_axes={"${input.name}": {0: "batch"}}))`);
    }
    if (sample.some((d, i) => typeof d === "number" && d !== spec.shape[i])) {
      throw new PretextError(400, `shape: [${spec.shape.join(", ")}] disagrees with the graph's input "${input.name}" ${shown}`);
    }
  }
  for (const field of ["embeddingOutput", "probabilitiesOutput"] as const) {
    const name = spec[field];
    if (name === undefined) continue;
    const output = summary.outputs.find((v) => v.name === name);
    if (!output) throw new PretextError(400, `${field}: the graph has no output "${name}" (its outputs: ${names(summary.outputs)})`);
    if (output.elemType !== "float32") throw new PretextError(400, `${field}: the graph's output "${name}" is ${output.elemType}; only float32 outputs are supported`);
  }
}
