import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { ParamSet } from "../models/param-set";
import { byolMomentum } from "./byol";
import { EmaTarget } from "./ema";

beforeAll(async () => {
  await initBackend("cpu");
});

describe("EmaTarget", () => {
  it("moves the target towards the online weights: θt ← m·θt + (1 − m)·θo", () => {
    const params = new ParamSet();
    params.add("encoder/w", tf.tensor1d([1, 2]));
    params.add("target/encoder/w", tf.tensor1d([0, 0]), false);
    const ema = EmaTarget.match(params.entries(), "encoder", "target/encoder");
    ema.update(0.9); // 0.9·0 + 0.1·[1, 2] = [0.1, 0.2]
    expect(Array.from(params.get("target/encoder/w").dataSync())).toEqual([expect.closeTo(0.1, 6), expect.closeTo(0.2, 6)]);
    params.get("encoder/w").assign(tf.tensor1d([3, 3]));
    ema.update(0.5); // 0.5·[0.1, 0.2] + 0.5·[3, 3] = [1.55, 1.6]
    expect(Array.from(params.get("target/encoder/w").dataSync())).toEqual([expect.closeTo(1.55, 6), expect.closeTo(1.6, 6)]);
    ema.copyOnline();
    expect(Array.from(params.get("target/encoder/w").dataSync())).toEqual([3, 3]);
    expect(() => ema.update(1.5)).toThrow(/momentum must be in \[0, 1\]/);
    params.dispose();
  });

  it("fails when a target parameter is missing", () => {
    const params = new ParamSet();
    params.add("encoder/w", tf.tensor1d([1]));
    expect(() => EmaTarget.match(params.entries(), "encoder", "target/encoder")).toThrow(/no parameter for encoder\/w/);
    params.dispose();
  });

  it("BYOL's cosine momentum schedule goes from τ_base to 1", () => {
    expect(byolMomentum(0.99, 0, 100)).toBeCloseTo(0.99, 10);
    expect(byolMomentum(0.99, 50, 100)).toBeCloseTo(0.995, 10); // 1 − 0.01·(cos(π/2) + 1)/2
    expect(byolMomentum(0.99, 100, 100)).toBeCloseTo(1, 10);
  });
});
