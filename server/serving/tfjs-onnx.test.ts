import onnxProto, { type onnx as Onnx } from "onnx-proto";
import { afterEach, describe, expect, it } from "vitest";
import { modelSpecSchema } from "@/server/registry/model-spec";
import { decodeOnnx } from "./onnx-model";
import { loadModel } from "./runtime";
import { tfjsOnnxGraph } from "./tfjs-onnx";

const { onnx } = onnxProto;
const { FLOAT, INT64 } = onnx.TensorProto.DataType;
const ortAvailable = await import("onnxruntime-node").then(() => true, () => false);

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1);
}

type Attribute = number | number[] | string | Onnx.ITensorProto;

/** A graph builder: each node's output is named after its op and position unless given. */
function graph(opset: number) {
  const nodes: Onnx.INodeProto[] = [];
  const initializer: Onnx.ITensorProto[] = [];
  const weight = (dims: number[], seed: number, offset = 0) => {
    const name = `w${initializer.length}`;
    const data = values(dims.reduce((a, b) => a * b, 1), seed).map((v) => v + offset);
    initializer.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  };
  const ints = (data: number[], dims = [data.length]) => {
    const name = `i${initializer.length}`;
    initializer.push({ name, dims, dataType: INT64, int64Data: data });
    return name;
  };
  const node = (opType: string, input: string[], attrs: Record<string, Attribute> = {}, output = `${opType}${nodes.length}`) => {
    const attribute = Object.entries(attrs).map(([name, v]): Onnx.IAttributeProto => {
      const { INTS, INT, FLOAT: F, STRING, TENSOR } = onnx.AttributeProto.AttributeType;
      if (typeof v === "string") return { name, type: STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: INTS, ints: v };
      if (typeof v === "object") return { name, type: TENSOR, t: v };
      return Number.isInteger(v) ? { name, type: INT, i: v } : { name, type: F, f: v };
    });
    nodes.push({ opType, input, output: [output], attribute });
    return output;
  };
  const value = (name: string, dims: (number | string)[]): Onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  });
  const encode = (input: Onnx.IValueInfoProto, output: Onnx.IValueInfoProto[]) =>
    onnx.ModelProto.encode({ irVersion: 7, opsetImport: [{ version: opset }], producerName: "test", graph: { name: "g", node: nodes, initializer, input: [input], output } }).finish();
  return { node, weight, ints, value, encode };
}

/** Every operator the tfjs runtime supports, with the attributes that change what they compute. */
function everyOperator(opset: number): Uint8Array {
  const g = graph(opset);
  const c1 = g.node("Conv", ["x", g.weight([4, 3, 3, 3], 1), g.weight([4], 2)], { strides: [2, 2], pads: [1, 0, 2, 1] }); // [n, 4, 6, 4]
  const c2 = g.node("Conv", [c1, g.weight([5, 4, 3, 3], 3)], { dilations: [2, 2], pads: [2, 2, 2, 2] }); // [n, 5, 6, 4]
  const c3 = g.node("Conv", [c2, g.weight([5, 5, 2, 2], 14)], { auto_pad: "SAME_UPPER" }); // [n, 5, 6, 4]
  const bn = g.node("BatchNormalization", [c3, g.weight([5], 4), g.weight([5], 5), g.weight([5], 6), g.weight([5], 7, 1.5)], { epsilon: 0.001 });
  const r = g.node("Relu", [bn]);
  const ap = g.node("AveragePool", [r], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }); // count_include_pad 0
  const mp = g.node("MaxPool", [ap], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: "SAME_LOWER" }); // [n, 5, 3, 2]
  const ap2 = g.node("AveragePool", [mp], { kernel_shape: [2, 2], pads: [1, 1, 0, 0], count_include_pad: 1 }); // [n, 5, 3, 2]
  // PyTorch's x.view(x.size(0), -1)
  const batch = g.node("Gather", [g.node("Shape", [ap2]), g.ints([0], [])], { axis: 0 });
  const unsqueezed = opset >= 13 ? g.node("Unsqueeze", [batch, g.ints([0])]) : g.node("Unsqueeze", [batch], { axes: [0] });
  const flat = g.node("Reshape", [ap2, g.node("Concat", [unsqueezed, g.ints([-1])], { axis: 0 })]); // [n, 30]
  const pooled = g.node("Flatten", [g.node("GlobalAveragePool", [r])], { axis: 1 }); // [n, 5]
  const mm = g.node("MatMul", [g.node("Concat", [flat, pooled], { axis: 1 }), g.weight([35, 8], 8)]);
  const scaled = g.node("Div", [g.node("Mul", [g.node("Sub", [g.node("Add", [mm, g.weight([8], 9)]), g.weight([1], 10)]), g.weight([8], 11)]), g.node("Constant", [], { value: { dims: [], dataType: FLOAT, floatData: [2.5] } })]);
  const gemm = g.node("Gemm", [g.node("Transpose", [scaled]), g.weight([12, 8], 12), g.weight([12], 13)], { transA: 1, transB: 1, alpha: 0.7, beta: 1.3 }); // [n, 12]
  g.node("Identity", [gemm], {}, "embedding");
  const grouped = g.node("Reshape", [gemm, g.ints([0, 3, 4])]); // [n, 3, 4]
  g.node("Flatten", [g.node("Softmax", [grouped], { axis: 1 })], {}, "probabilities");
  return g.encode(g.value("x", ["batch", 3, 11, 9]), [g.value("embedding", ["batch", 12]), g.value("probabilities", ["batch", 12])]);
}

const spec = modelSpecSchema.parse({ shape: [3, 11, 9], layout: "nchw", inputName: "x", embeddingOutput: "embedding", probabilitiesOutput: "probabilities" });
const savedRuntime = process.env.PRETEXT_SERVE_RUNTIME;
afterEach(() => {
  if (savedRuntime === undefined) delete process.env.PRETEXT_SERVE_RUNTIME;
  else process.env.PRETEXT_SERVE_RUNTIME = savedRuntime;
});

describe("the tfjs ONNX interpreter", () => {
  it.skipIf(!ortAvailable).each([11, 13])("computes what onnxruntime does for every supported operator (opset %i)", async (opset) => {
    const bytes = everyOperator(opset);
    const input = values(5 * 3 * 11 * 9, 99);
    const outputs = [];
    for (const runtime of ["onnxruntime-node", "tfjs"]) {
      process.env.PRETEXT_SERVE_RUNTIME = runtime;
      const model = await loadModel(bytes, spec);
      outputs.push(await model.run(input, 5));
      await model.dispose();
    }
    const [ort, tfjs] = outputs;
    expect([tfjs.dim, tfjs.classes]).toEqual([12, 12]);
    for (const key of ["embedding", "probabilities"] as const) {
      const diff = Array.from(ort[key]!).reduce((m, v, i) => Math.max(m, Math.abs(v - tfjs[key]![i])), 0);
      expect(diff).toBeLessThan(1e-5);
    }
  });

  it("rejects an unsupported operator when loading, and an unsupported attribute on the first run", async () => {
    const sin = graph(13);
    sin.node("Sin", ["x"], {}, "embedding");
    const sinBytes = sin.encode(sin.value("x", ["batch", 3, 11, 9]), [sin.value("embedding", ["batch", 3, 11, 9])]);
    expect(() => tfjsOnnxGraph(decodeOnnx(sinBytes))).toThrow(
      expect.objectContaining({ status: 400, message: "file: operator Sin is not supported by the tfjs runtime; install onnxruntime-node" }),
    );
    const grouped = graph(13);
    grouped.node("Flatten", [grouped.node("Conv", ["x", grouped.weight([3, 1, 3, 3], 1)], { group: 3 })], {}, "embedding");
    const groupedBytes = grouped.encode(grouped.value("x", ["batch", 3, 11, 9]), [grouped.value("embedding", ["batch", "d"])]);
    process.env.PRETEXT_SERVE_RUNTIME = "tfjs";
    await expect(loadModel(groupedBytes, { ...spec, probabilitiesOutput: undefined })).rejects.toThrow(
      "file: operator Conv with group 3 is not supported by the tfjs runtime; install onnxruntime-node",
    );
  });
});
