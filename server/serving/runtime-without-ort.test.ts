import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it, vi } from "vitest";
import { modelSpecSchema } from "@/server/registry/model-spec";
import { loadModel, servingRuntime } from "./runtime";

// as on a machine where the optional dependency did not install
vi.mock("onnxruntime-node", () => {
  throw new Error("Cannot find module 'onnxruntime-node'");
});

const fixture = path.resolve(__dirname, "../../examples/onnx/torch-fashion-cnn.onnx");

it("falls back to tfjs where onnxruntime-node cannot be loaded, unless onnxruntime-node is required", async () => {
  delete process.env.PRETEXT_SERVE_RUNTIME;
  expect(await servingRuntime()).toBe("tfjs");
  const spec = modelSpecSchema.parse(JSON.parse(readFileSync(fixture.replace(/\.onnx$/, ".expected.json"), "utf8")).spec);
  const model = await loadModel(readFileSync(fixture), spec);
  expect(model.runtime).toBe("tfjs");
  await model.dispose();
  process.env.PRETEXT_SERVE_RUNTIME = "onnxruntime-node";
  await expect(servingRuntime()).rejects.toThrow(/^PRETEXT_SERVE_RUNTIME: onnxruntime-node cannot be loaded \(/);
  delete process.env.PRETEXT_SERVE_RUNTIME;
});
