/**
 * Evaluating an imported ONNX encoder (registered with a model spec, server/registry/model-spec.ts):
 * only what needs its embeddings can run, since there are no Pretext weights to train or
 * architecture to rebuild. Protocols left out default to linear_probe and knn, baselines to raw_linear.
 */
import { badInput } from "../../../server/errors";
import type { ModelSpec } from "../../../server/registry/model-spec";
import { parseEvalSuite, type Baseline, type EvalSuite, type EvalSuiteInput, type Protocol } from "./suite";

/** An imported ONNX encoder: the model's bytes and the spec to call it with. */
export interface OnnxEncoderModel {
  onnx: Uint8Array;
  spec: ModelSpec;
}

/** The encoder under evaluation: a Pretext encoder file (encoder.ptx bytes), or an imported ONNX model. */
export type EvaluatedEncoder = Uint8Array | OnnxEncoderModel;

/** A Pretext encoder file's bytes, for what rebuilds the encoder in tfjs (`what`, e.g. "an audit"); an ONNX encoder is refused (400). */
export function pretextEncoderBytes(encoder: EvaluatedEncoder, what: string): Uint8Array {
  if (encoder instanceof Uint8Array) return encoder;
  throw badInput(`encoder: ${what} needs a Pretext encoder; an ONNX encoder can be evaluated (${ONNX_PROTOCOLS.join(", ")}) and served`);
}

/** Protocols on frozen embeddings (the adapter trains only on top of them). */
export const ONNX_PROTOCOLS = ["linear_probe", "knn", "adapter"] as const satisfies readonly Protocol[];
const DEFAULT_ONNX_PROTOCOLS: Protocol[] = ["linear_probe", "knn"];
const ONNX_BASELINES: Baseline[] = ["raw_linear"];

/** Parses a suite for an ONNX encoder; one that asks for what needs Pretext weights fails (400, never retried). */
export function parseOnnxSuite(input: EvalSuiteInput): EvalSuite {
  const suite = parseEvalSuite({ ...input, protocols: input.protocols ?? DEFAULT_ONNX_PROTOCOLS, baselines: input.baselines ?? ONNX_BASELINES });
  const refused = suite.protocols.filter((p) => !(ONNX_PROTOCOLS as readonly string[]).includes(p));
  if (refused.length) throw onnxRefusal(refused.join(", "));
  if (suite.baselines.includes("supervised")) {
    throw badInput("baselines: supervised trains the encoder's architecture from scratch, which an ONNX encoder does not describe; an ONNX encoder supports raw_linear");
  }
  return suite;
}

export function onnxRefusal(protocols: string) {
  const verb = protocols.includes(",") ? "need" : "needs";
  return badInput(`protocols: ${protocols} ${verb} a Pretext encoder's weights; an ONNX encoder supports ${ONNX_PROTOCOLS.join(", ")}`);
}

/**
 * A dataset's samples ([h, w, c] images, [d] vectors) must be what the spec takes: the same h, w, c
 * in its layout; "flat" takes vectors, or one-channel images (whose hwc and chw orders agree).
 */
export function checkSpecFitsDataset(spec: ModelSpec, shape: number[], datasetName: string): void {
  const [h, w, c] = shape;
  const image = shape.length === 3;
  const expected = !image ? (spec.layout === "flat" ? shape : null) : spec.layout === "nhwc" ? [h, w, c] : spec.layout === "nchw" ? [c, h, w] : c === 1 ? [h * w] : null;
  if (!expected || expected.join("x") !== spec.shape.join("x")) {
    const as = expected ? `, i.e. [${expected}] in ${spec.layout}` : "";
    throw badInput(`encoder expects inputs of shape [${spec.shape}] (${spec.layout}) but dataset ${datasetName} has samples of shape [${shape}] (${image ? "h, w, c" : "features"}${as})`);
  }
}
