/**
 * A small interpreter of ONNX graphs on TensorFlow.js, the serving fallback where onnxruntime-node
 * cannot load. It runs the operators of Pretext's exporter (server/registry/onnx-export.ts) and of
 * common PyTorch CNN/MLP exports, in the graph's NCHW layout; operators follow the ONNX spec
 * (https://onnx.ai/onnx/operators/). Values are float32, with int64 shape arithmetic held as int32.
 *
 *   await tfjsReady();
 *   const graph = tfjsOnnxGraph(decodeOnnx(bytes));        // 400 on an unsupported operator
 *   const [embedding] = graph.run({ pixels: x }, ["features"]);   // the caller disposes the outputs
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import onnxProto, { type onnx as Onnx } from "onnx-proto";
import { PretextError } from "@/server/errors";
import { defaultOpset, int } from "./onnx-model";

const { onnx } = onnxProto;

export interface TfjsOnnxGraph {
  run(inputs: Record<string, tf.Tensor>, outputs: string[]): tf.Tensor[];
  dispose(): void;
}

/** Uses the backend already active in this process (the engine's, where it runs here), else tfjs's CPU backend. */
export async function tfjsReady(): Promise<void> {
  if (!tf.engine().backendName && !(await tf.setBackend("cpu"))) throw new PretextError(500, "tfjs: the cpu backend could not be initialised");
  await tf.ready();
}

const unsupported = (what: string) => new PretextError(400, `file: ${what} is not supported by the tfjs runtime; install onnxruntime-node`);

/** `model` as decodeOnnx returns it (with a graph and a default opset). */
export function tfjsOnnxGraph(model: Onnx.IModelProto): TfjsOnnxGraph {
  const graph = model.graph!;
  const opset = defaultOpset(model)!;
  const constants = new Map<string, tf.Tensor>();
  const nodes: { op: Op; inputs: string[]; output: string; attrs: Attrs }[] = [];
  try {
    for (const t of graph.initializer ?? []) constants.set(t.name ?? "", tensorFromProto(t));
    for (const node of graph.node ?? []) {
      const type = node.opType ?? "";
      if (node.domain && node.domain !== "ai.onnx") throw unsupported(`operator ${node.domain}.${type}`);
      const attrs = new Attrs(type, node.attribute ?? []);
      const [output, ...extra] = node.output ?? [];
      if (extra.some(Boolean)) throw unsupported(`operator ${type} with ${extra.length + 1} outputs`);
      // constants are computed once, here, instead of on every run
      if (type === "Constant") constants.set(output, constantValue(attrs));
      else if (Object.hasOwn(ops, type)) nodes.push({ op: ops[type], inputs: node.input ?? [], output, attrs });
      else throw unsupported(`operator ${type}`);
    }
  } catch (err) {
    tf.dispose([...constants.values()]);
    throw err;
  }
  return {
    run(inputs, outputs) {
      return tf.tidy(() => {
        const values = new Map([...constants, ...Object.entries(inputs)]);
        const get = (name: string) => {
          const v = values.get(name);
          if (!v) throw new PretextError(400, `file: the graph uses value "${name}" before any node computes it`);
          return v;
        };
        for (const node of nodes) values.set(node.output, node.op(node.inputs.map((name) => (name ? get(name) : undefined)) as tf.Tensor[], node.attrs, opset));
        // clones, so that disposing an output never frees a weight or an input
        return outputs.map((name) => tf.clone(get(name)));
      });
    },
    dispose: () => tf.dispose([...constants.values()]),
  };
}

/** An operator; an optional input that the node leaves out is undefined (read it with `optional`). */
type Op = (inputs: tf.Tensor[], attrs: Attrs, opset: number) => tf.Tensor;
const optional = (inputs: tf.Tensor[], i: number): tf.Tensor | undefined => inputs[i];

/** A node's attributes, read with the spec's defaults. */
class Attrs {
  private readonly byName: Map<string, Onnx.IAttributeProto>;

  constructor(
    readonly op: string,
    list: Onnx.IAttributeProto[],
  ) {
    this.byName = new Map(list.map((a) => [a.name ?? "", a]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? int(a.i) : fallback;
  }
  ints(name: string, fallback?: number[]): number[] {
    const a = this.byName.get(name);
    if (a) return (a.ints ?? []).map(int);
    if (fallback) return fallback;
    throw new PretextError(400, `file: operator ${this.op} lacks its attribute ${name}`);
  }
  float(name: string, fallback: number): number {
    return this.byName.get(name)?.f ?? fallback;
  }
  string(name: string, fallback: string): string {
    const s = this.byName.get(name)?.s;
    return s ? new TextDecoder().decode(s) : fallback;
  }
  get(name: string): Onnx.IAttributeProto | undefined {
    return this.byName.get(name);
  }
}

function tensorFromProto(t: Onnx.ITensorProto): tf.Tensor {
  const { DataType, DataLocation } = onnx.TensorProto;
  const name = t.name ?? "";
  if (t.dataLocation === DataLocation.EXTERNAL) throw unsupported(`tensor "${name}" with external data`);
  const dims = (t.dims ?? []).map(int);
  // a copy: raw data may sit at an unaligned offset, in a Buffer whose slice() would not copy
  const raw = t.rawData?.length ? new Uint8Array(t.rawData).buffer : undefined;
  switch (t.dataType) {
    case DataType.FLOAT:
      return tf.tensor(raw ? new Float32Array(raw) : Float32Array.from(t.floatData ?? []), dims, "float32");
    case DataType.INT32:
      return tf.tensor(raw ? new Int32Array(raw) : Int32Array.from(t.int32Data ?? []), dims, "int32");
    case DataType.INT64:
      return tf.tensor(raw ? Int32Array.from(new BigInt64Array(raw), Number) : Int32Array.from(t.int64Data ?? [], int), dims, "int32");
    default:
      throw unsupported(`tensor "${name}" of type ${onnx.TensorProto.DataType[t.dataType ?? 0] ?? t.dataType}`);
  }
}

function constantValue(a: Attrs): tf.Tensor {
  const t = a.get("value")?.t;
  if (t) return tensorFromProto(t);
  if (a.has("value_float")) return tf.scalar(a.float("value_float", 0), "float32");
  if (a.has("value_floats")) return tf.tensor1d(a.get("value_floats")?.floats ?? [], "float32");
  if (a.has("value_int")) return tf.scalar(a.int("value_int", 0), "int32");
  if (a.has("value_ints")) return tf.tensor1d(a.ints("value_ints"), "int32");
  throw unsupported("a Constant without a numeric value");
}

const axis = (value: number, rank: number) => (value < 0 ? value + rank : value);
const product = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]);
const toNchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

/** The spatial padding [[top, bottom], [left, right]] of a Conv or pool, from auto_pad or pads. */
function spatialPads(x: tf.Tensor, a: Attrs, kernel: number[], strides: number[], dilations: number[]): [number, number][] {
  if (x.rank !== 4) throw unsupported(`operator ${a.op} on a ${x.rank - 2}-D input (only 2-D)`);
  const autoPad = a.string("auto_pad", "NOTSET");
  if (autoPad === "NOTSET") {
    const [t, l, b, r] = a.ints("pads", [0, 0, 0, 0]);
    return [[t, b], [l, r]];
  }
  if (autoPad === "VALID") return [[0, 0], [0, 0]];
  // SAME_UPPER / SAME_LOWER: output = ceil(input / stride), the odd padding cell at the end / start
  return [0, 1].map((i): [number, number] => {
    const size = x.shape[2 + i];
    const total = Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
    const small = Math.floor(total / 2);
    return autoPad === "SAME_LOWER" ? [total - small, small] : [small, total - small];
  });
}

function pool(kind: "max" | "avg"): Op {
  return ([x], a) => {
    const kernel = a.ints("kernel_shape") as [number, number];
    const strides = a.ints("strides", [1, 1]) as [number, number];
    if (a.int("ceil_mode", 0) !== 0) throw unsupported(`operator ${a.op} with ceil_mode 1`);
    if (a.ints("dilations", [1, 1]).some((d) => d !== 1)) throw unsupported(`operator ${a.op} with dilations`);
    const [ph, pw] = spatialPads(x, a, kernel, strides, [1, 1]);
    const pads: [number, number][] = [[0, 0], ph, pw, [0, 0]];
    // padded explicitly, so that every tfjs backend pools the same way
    const padded = tf.pad(toNhwc(x), pads, kind === "max" ? -Infinity : 0) as tf.Tensor4D;
    if (kind === "max") return toNchw(tf.maxPool(padded, kernel, strides, "valid"));
    const mean = tf.avgPool(padded, kernel, strides, "valid");
    if (a.int("count_include_pad", 0) === 1 || [...ph, ...pw].every((p) => p === 0)) return toNchw(mean);
    // count_include_pad 0: divide by the number of real cells under each window, not the window's size
    const [, , h, w] = x.shape;
    const real = tf.avgPool(tf.pad(tf.ones([1, h, w, 1]), pads) as tf.Tensor4D, kernel, strides, "valid");
    return toNchw(tf.div(mean, real));
  };
}

const ops: Record<string, Op> = {
  Conv: (inputs, a) => {
    const [x, w] = inputs;
    if (a.int("group", 1) !== 1) throw unsupported(`operator Conv with group ${a.int("group", 1)}`);
    const kernel = w.shape.slice(2);
    const strides = a.ints("strides", [1, 1]) as [number, number];
    const dilations = a.ints("dilations", [1, 1]) as [number, number];
    const [ph, pw] = spatialPads(x, a, kernel, strides, dilations);
    // tfjs convolves NHWC with [kh, kw, in, out] filters; ONNX is NCHW with [out, in, kh, kw]
    const y = tf.conv2d(toNhwc(x) as tf.Tensor4D, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, strides, [[0, 0], ph, pw, [0, 0]], "NHWC", dilations);
    const bias = optional(inputs, 2);
    return toNchw(bias ? tf.add(y, bias) : y);
  },
  MaxPool: pool("max"),
  AveragePool: pool("avg"),
  GlobalAveragePool: ([x]) => tf.mean(x, Array.from({ length: x.rank - 2 }, (_, i) => i + 2), true),
  Relu: ([x]) => tf.relu(x),
  Gemm: (inputs, a) => {
    const [x, w] = inputs;
    const c = optional(inputs, 2);
    const y = tf.mul(tf.matMul(x, w, a.int("transA", 0) === 1, a.int("transB", 0) === 1), a.float("alpha", 1));
    return c ? tf.add(y, tf.mul(c, a.float("beta", 1))) : y;
  },
  MatMul: ([x, y]) => {
    if (x.rank < 2 || y.rank < 2) throw unsupported("operator MatMul on a 1-D operand");
    return tf.matMul(x, y);
  },
  Add: ([x, y]) => tf.add(x, y),
  Sub: ([x, y]) => tf.sub(x, y),
  Mul: ([x, y]) => tf.mul(x, y),
  Div: ([x, y]) => tf.div(x, y),
  Flatten: ([x], a) => {
    const at = axis(a.int("axis", 1), x.rank);
    return tf.reshape(x, [product(x.shape.slice(0, at)), product(x.shape.slice(at))]);
  },
  Reshape: ([x, shape], a) => {
    // 0 copies the input's size on that axis unless allowzero; -1 is inferred by tfjs
    const dims = Array.from(shape.dataSync(), (d, i) => (d === 0 && a.int("allowzero", 0) === 0 ? x.shape[i] : d));
    return tf.reshape(x, dims);
  },
  Transpose: ([x], a) => tf.transpose(x, a.ints("perm", x.shape.map((_, i) => x.rank - 1 - i))),
  Softmax: ([x], a, opset) => {
    const at = axis(a.int("axis", opset >= 13 ? -1 : 1), x.rank);
    // before opset 13, softmax ran over all axes from `axis` on, as one flattened axis
    if (opset < 13) return tf.reshape(tf.softmax(tf.reshape(x, [product(x.shape.slice(0, at)), -1])), x.shape);
    if (at === x.rank - 1) return tf.softmax(x);
    const swap = x.shape.map((_, i) => (i === at ? x.rank - 1 : i === x.rank - 1 ? at : i)); // tfjs takes the last axis only
    return tf.transpose(tf.softmax(tf.transpose(x, swap)), swap);
  },
  Identity: ([x]) => tf.clone(x),
  BatchNormalization: ([x, scale, bias, mean, variance], a) => {
    if (a.int("training_mode", 0) !== 0) throw unsupported("operator BatchNormalization in training mode");
    const perChannel = [-1, ...Array<number>(x.rank - 2).fill(1)];
    const gain = tf.reshape(tf.div(scale, tf.sqrt(tf.add(variance, a.float("epsilon", 1e-5)))), perChannel);
    return tf.add(tf.mul(tf.sub(x, tf.reshape(mean, perChannel)), gain), tf.reshape(bias, perChannel));
  },
  Concat: (inputs, a) => tf.concat(inputs, axis(a.int("axis", 0), inputs[0].rank)),
  Shape: ([x], a) => tf.tensor1d(x.shape.slice(a.int("start", 0), a.has("end") ? a.int("end", 0) : undefined), "int32"),
  Gather: ([x, indices], a) => {
    const at = axis(a.int("axis", 0), x.rank);
    const wrapped = Int32Array.from(indices.dataSync(), (i) => axis(i, x.shape[at]));
    return tf.gather(x, tf.tensor(wrapped, indices.shape, "int32"), at);
  },
  Unsqueeze: ([x, axesInput], a, opset) => {
    const axes = opset >= 13 ? Array.from(axesInput.dataSync()) : a.ints("axes");
    const rank = x.rank + axes.length;
    const shape = [...x.shape];
    for (const at of axes.map((v) => axis(v, rank)).sort((p, q) => p - q)) shape.splice(at, 0, 1);
    return tf.reshape(x, shape);
  },
};
