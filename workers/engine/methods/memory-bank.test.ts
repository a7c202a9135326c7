import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { ParamSet } from "../models/param-set";
import { Rng } from "../rng";
import { MemoryBank } from "./memory-bank";

beforeAll(async () => {
  await initBackend("cpu");
});

/** Key whose only non-zero coordinate is `i` (so rows are identifiable after normalization). */
const key = (i: number, dim = 8) => Array.from({ length: dim }, (_, j) => (j === i ? 1 : 0));
const rowIds = (bank: MemoryBank) => (bank.keys.arraySync() as number[][]).map((r) => r.findIndex((v) => v > 0.999));

describe("MemoryBank", () => {
  it("is a FIFO: new keys overwrite the oldest rows, wrapping around", () => {
    const params = new ParamSet();
    const bank = new MemoryBank(params, "moco", 5, 8, new Rng(1));
    bank.enqueue(tf.tensor2d([key(0), key(1), key(2)]));
    expect(rowIds(bank).slice(0, 3)).toEqual([0, 1, 2]);
    bank.enqueue(tf.tensor2d([key(3), key(4), key(5)])); // rows 3, 4 then wraps to row 0
    expect(rowIds(bank)).toEqual([5, 1, 2, 3, 4]);
    bank.enqueue(tf.tensor2d([key(6)]));
    expect(rowIds(bank)).toEqual([5, 6, 2, 3, 4]);
    expect(params.get("moco/queue_pointer").dataSync()[0]).toBe(2);
    params.dispose();
  });

  it("keeps only the newest K keys of an oversized batch", () => {
    const params = new ParamSet();
    const bank = new MemoryBank(params, "moco", 3, 8, new Rng(1));
    bank.enqueue(tf.tensor2d([key(0), key(1), key(2), key(3), key(4)]));
    expect(rowIds(bank)).toEqual([2, 3, 4]);
    params.dispose();
  });

  it("stores normalized keys and is not trainable", () => {
    const params = new ParamSet();
    const bank = new MemoryBank(params, "moco", 4, 2, new Rng(3));
    bank.enqueue(tf.tensor2d([[3, 4]]));
    expect(bank.keys.arraySync()[0][0]).toBeCloseTo(0.6, 6);
    expect(params.get("moco/queue").trainable).toBe(false);
    expect(() => new MemoryBank(new ParamSet(), "x", 0, 2, new Rng(1))).toThrow(/size must be a positive integer/);
    params.dispose();
  });
});
