import { readFileSync } from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { modelSpecSchema, type ModelSpecInput } from "@/server/registry/model-spec";
import { checkSpecAgainstModel, inspectOnnx } from "./onnx-model";

const fixture = path.resolve(__dirname, "../../examples/onnx/torch-fashion-cnn.onnx");
const expected = JSON.parse(readFileSync(fixture.replace(/\.onnx$/, ".expected.json"), "utf8")) as { spec: ModelSpecInput };

describe("inspectOnnx", () => {
  it("reads a PyTorch export's opset, producer, inputs and outputs, without initializers", () => {
    expect(inspectOnnx(readFileSync(fixture))).toEqual({
      opset: 17,
      producer: "pytorch 1.13.0",
      inputs: [{ name: "pixels", elemType: "float32", shape: ["batch", 1, 28, 28] }],
      outputs: [
        { name: "features", elemType: "float32", shape: ["batch", 64] },
        { name: "probs", elemType: "float32", shape: ["batch", 10] },
      ],
    });
  });

  it("rejects what is not an ONNX model with a 400 that says why", () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 2, height: 2 }), { data: Buffer.alloc(16, 255) }));
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251);
    for (const [bytes, why] of [
      [new Uint8Array(0), /empty file/],
      [png, /protobuf decoding failed|no ir_version|no graph/],
      [garbage, /protobuf decoding failed|no ir_version|no graph/],
      [new TextEncoder().encode("name,value\nloss,0.5\n"), /protobuf decoding failed|no ir_version|no graph/],
    ] as const) {
      expect(() => inspectOnnx(bytes)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(/^file: not an ONNX model \(/) }));
      expect(() => inspectOnnx(bytes)).toThrow(why);
    }
  });
});

describe("checkSpecAgainstModel", () => {
  const summary = inspectOnnx(readFileSync(fixture));
  const check = (change: Partial<ModelSpecInput>) => () => checkSpecAgainstModel(modelSpecSchema.parse({ ...expected.spec, ...change }), summary);

  it("accepts the spec the fixture was exported with, and its probabilities output", () => {
    expect(check({})).not.toThrow();
    expect(check({ probabilitiesOutput: "probs" })).not.toThrow();
  });

  it("names the spec's field that disagrees with the graph", () => {
    const fails = (change: Partial<ModelSpecInput>, message: RegExp) => expect(check(change)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(message) }));
    fails({ inputName: "input" }, /^inputName: the graph has no input "input" \(its inputs: "pixels"\)/);
    fails({ embeddingOutput: "embedding" }, /^embeddingOutput: the graph has no output "embedding" \(its outputs: "features", "probs"\)/);
    fails({ probabilitiesOutput: "probabilities" }, /^probabilitiesOutput: the graph has no output "probabilities"/);
    fails({ shape: [28, 28, 1], layout: "nhwc" }, /^shape: \[28, 28, 1\] disagrees with the graph's input "pixels" \[batch, 1, 28, 28\]/);
    fails({ shape: [784], layout: "flat" }, /^shape: \[batch, 784\] has rank 2, the graph's input "pixels" is \[batch, 1, 28, 28\]/);
  });

  it("wants a float32 input with a dynamic batch axis", () => {
    const input = summary.inputs[0];
    const spec = modelSpecSchema.parse(expected.spec);
    const withInput = (change: object) => () => checkSpecAgainstModel(spec, { ...summary, inputs: [{ ...input, ...change }] });
    expect(withInput({ elemType: "uint8" })).toThrow(/^inputName: the graph's input "pixels" is uint8; only float32 inputs are supported/);
    expect(withInput({ shape: [1, 1, 28, 28] })).toThrow(/^inputName: .* fixed batch size; export it with a dynamic batch axis/);
    expect(() => checkSpecAgainstModel(spec, { ...summary, inputs: [input, { ...input, name: "mask" }] })).toThrow(/^inputName: the graph needs other inputs too \("mask"\)/);
  });
});
