import { describe, expect, it } from "vitest";
import { modelSpecSchema, type ModelSpecInput } from "@/server/registry/model-spec";
import { preprocess } from "./preprocess";

const spec = (s: ModelSpecInput) => modelSpecSchema.parse(s);
const close = (a: Float32Array, b: number[]) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));

describe("preprocess", () => {
  it("applies (x · scale − mean[c]) / std[c] with the channel where the layout puts it", () => {
    // two samples of 2 channels × 1 × 2 pixels; channel 0: mean 1, std 2; channel 1: mean 10, std 5
    const per = { scale: 0.5, mean: [1, 10], std: [2, 5] };
    const raw = Float32Array.of(2, 4, 20, 30, 6, 8, 40, 50);
    // nchw: [c0 c0 c1 c1] per sample
    close(preprocess(raw, 2, spec({ shape: [2, 1, 2], layout: "nchw", ...per })), [0, 0.5, 0, 1, 1, 1.5, 2, 3]);
    // nhwc: [c0 c1 c0 c1] per sample
    close(preprocess(raw, 2, spec({ shape: [1, 2, 2], layout: "nhwc", ...per })), [0, -1.6, 4.5, 1, 1, -1.2, 9.5, 3]);
  });

  it("uses one mean/std for every channel, and defaults to scale only", () => {
    close(preprocess(Float32Array.of(0, 255, 51, 102), 1, spec({ shape: [2, 1, 2], layout: "nchw", scale: 1 / 255, mean: [0.2], std: [0.4] })), [-0.5, 2, 0, 0.5]);
    close(preprocess(Float32Array.of(1, 2, 3), 1, spec({ shape: [3], layout: "flat", scale: 2 })), [2, 4, 6]);
  });

  it("rejects values that are not n samples", () => {
    expect(() => preprocess(new Float32Array(5), 2, spec({ shape: [3], layout: "flat" }))).toThrow(/^inputs: expected 2 samples of \[3\] = 6 values, got 5/);
  });
});
