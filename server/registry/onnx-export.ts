/**
 * Exports a Pretext encoder (encoder.ptx), optionally with a classification head (head.ptx), to an
 * ONNX model (IR 7, opset 13) that computes what the engine's `encoder.apply` does
 * (workers/engine/models/encoder.ts), without TensorFlow.js:
 *   input "input" float32 [batch, ...inputShape] (images NHWC in [0, 1]) → "embedding" [batch, outDim]
 *   and, with a head, "probabilities" [batch, classes] = softmax(embedding·kernel + bias).
 *
 *   const onnxBytes = exportToOnnx(encoderPtx, headPtx);
 */
import onnxProto, { type onnx as Onnx } from "onnx-proto";
import { z } from "zod";
import { PretextError } from "../errors";
import { encoderSchema, type EncoderConfig } from "../jobs/configs/pretrain";
import { readHeadFile } from "./head-file";
import { float32Tensor, readTensorFileField } from "./tensor-file-format";

// onnx-proto is CommonJS: Node's ESM loader (tsx, the CLI) sees no named exports in it, so take the default.
const { onnx } = onnxProto;

const encoderMetaSchema = z.object({
  kind: z.literal("pretext-encoder"),
  encoder: encoderSchema,
  inputShape: z.array(z.number().int().positive()).min(1),
  outDim: z.number().int().positive(),
  method: z.string(),
  dataset: z.object({ name: z.string(), checksum: z.string() }),
});

export const ONNX_INPUT = "input";
export const ONNX_EMBEDDING = "embedding";
export const ONNX_PROBABILITIES = "probabilities";

export function exportToOnnx(encoderPtx: Uint8Array, head?: Uint8Array): Uint8Array {
  const file = readTensorFileField("encoder", encoderPtx, encoderMetaSchema);
  const { meta } = file;
  if (meta.outDim !== meta.encoder.embeddingDim) {
    throw new PretextError(400, `encoder.meta.outDim: ${meta.outDim} differs from the encoder's embeddingDim ${meta.encoder.embeddingDim}`);
  }
  const g = new GraphBuilder();
  const read = (name: string, shape: number[]) => float32Tensor("encoder", file, name, shape);
  const weights: Weights = { read, add: (name, shape) => g.initializer(name, shape, read(name, shape)) };
  const embedding = meta.encoder.kind === "cnn" ? cnn(g, meta.encoder, meta.inputShape, weights) : mlp(g, meta.encoder, meta.inputShape, weights);
  const outputs = [valueInfo(ONNX_EMBEDDING, [meta.outDim])];
  const props: Record<string, string> = {
    inputShape: JSON.stringify(meta.inputShape),
    outDim: String(meta.outDim),
    method: meta.method,
    dataset: JSON.stringify(meta.dataset),
  };
  if (head) {
    const h = readHeadFile(head);
    if (h.meta.inputDim !== meta.outDim) throw new PretextError(400, `head.meta.inputDim: ${h.meta.inputDim} differs from the encoder's outDim ${meta.outDim}`);
    const logits = g.node("Gemm", [embedding, g.initializer("head/kernel", [h.meta.inputDim, h.meta.numClasses], h.kernel), g.initializer("head/bias", [h.meta.numClasses], h.bias)]);
    g.node("Softmax", [logits], { axis: 1 }, ONNX_PROBABILITIES);
    outputs.push(valueInfo(ONNX_PROBABILITIES, [h.meta.numClasses]));
    props.head = JSON.stringify(h.meta);
  }
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "pretext",
    graph: {
      name: `pretext-${meta.method}-${meta.encoder.kind}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, meta.inputShape)],
      output: outputs,
    },
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  }).finish();
}

/** The encoder file's weights: `read` checks a tensor's shape and returns it, `add` also makes it an initializer. */
interface Weights {
  read(name: string, shape: number[]): Float32Array;
  add(name: string, shape: number[]): string;
}

/** conv3x3 → relu → maxPool 2, twice, then dense on the flattened map (buildEncoder's "cnn"). */
function cnn(g: GraphBuilder, cfg: Extract<EncoderConfig, { kind: "cnn" }>, inputShape: number[], weights: Weights): string {
  if (inputShape.length !== 3) throw new PretextError(400, `encoder.meta.inputShape: the CNN encoder needs [h, w, c], got [${inputShape}]`);
  const [h, w, c] = inputShape;
  const [c1, c2] = cfg.channels;
  const block = (x: string, name: string, cin: number, cout: number) => {
    const kernel = `encoder/${name}/kernel`;
    const oihw = hwioToOihw(weights.read(kernel, [3, 3, cin, cout]), cin, cout);
    const conv = g.node("Conv", [x, g.initializer(kernel, [cout, cin, 3, 3], oihw), weights.add(`encoder/${name}/bias`, [cout])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1], // tfjs "same" for a 3×3 kernel at stride 1
    });
    // relu before the pool (they commute) so that onnxruntime fuses it into the convolution
    return g.node("MaxPool", [g.node("Relu", [conv])], { kernel_shape: [2, 2], strides: [2, 2] });
  };
  const nchw = g.node("Transpose", [ONNX_INPUT], { perm: [0, 3, 1, 2] }); // ONNX Conv takes NCHW
  const b = block(block(nchw, "conv1", c, c1), "conv2", c1, c2);
  const [h4, w4] = [Math.floor(h / 4), Math.floor(w / 4)];
  const features = h4 * w4 * c2;
  // the dense kernel's rows follow tfjs's NHWC flatten; reordered to NCHW, the map needs no transpose back
  const nhwcKernel = weights.read("encoder/fc/kernel", [features, cfg.embeddingDim]);
  const kernel = new Float32Array(nhwcKernel.length);
  for (let ch = 0; ch < c2; ch++) {
    for (let p = 0; p < h4 * w4; p++) kernel.set(nhwcKernel.subarray((p * c2 + ch) * cfg.embeddingDim, (p * c2 + ch + 1) * cfg.embeddingDim), (ch * h4 * w4 + p) * cfg.embeddingDim);
  }
  const flat = g.node("Flatten", [b], { axis: 1 });
  const fc = g.initializer("encoder/fc/kernel", [features, cfg.embeddingDim], kernel);
  return g.node("Gemm", [flat, fc, weights.add("encoder/fc/bias", [cfg.embeddingDim])], {}, ONNX_EMBEDDING);
}

/** Flatten, then dense layers with ReLU between (buildEncoder's "mlp"; encoders have no batch norm). */
function mlp(g: GraphBuilder, cfg: Extract<EncoderConfig, { kind: "mlp" }>, inputShape: number[], weights: Weights): string {
  const dims = [inputShape.reduce((a, b) => a * b, 1), ...cfg.hidden, cfg.embeddingDim];
  let x = g.node("Flatten", [ONNX_INPUT], { axis: 1 });
  for (let i = 1; i < dims.length; i++) {
    const last = i === dims.length - 1;
    x = g.node("Gemm", [x, weights.add(`encoder/fc${i}/kernel`, [dims[i - 1], dims[i]]), weights.add(`encoder/fc${i}/bias`, [dims[i]])], {}, last ? ONNX_EMBEDDING : undefined);
    if (!last) x = g.node("Relu", [x]);
  }
  return x;
}

/** tfjs conv kernel [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw]. */
function hwioToOihw(k: Float32Array, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 3; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) out[((o * cin + i) * 3 + y) * 3 + x] = k[((y * 3 + x) * cin + i) * cout + o];
      }
    }
  }
  return out;
}

type Attribute = number | number[];

/** Collects nodes and initializers; each node gets a fresh output name unless one is given. */
class GraphBuilder {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];

  /** A float32 constant; raw_data is little-endian, as Float32Array is on every platform Node runs on. */
  initializer(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  node(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, output = `${opType.toLowerCase()}${this.nodes.length}`): string {
    const attribute = Object.entries(attributes).map(([name, v]): Onnx.IAttributeProto =>
      Array.isArray(v) ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v } : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
    );
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }
}

/** A float32 graph input or output [batch, ...shape] with a symbolic batch axis. */
function valueInfo(name: string, shape: number[]): Onnx.IValueInfoProto {
  const dim = [{ dimParam: "batch" }, ...shape.map((d) => ({ dimValue: d }))];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}
