import { describe, expect, it } from "vitest";
import { DynamicBatcher, type RunBatch } from "./batcher";

/** A "model" that embeds sample i as [sum, n] so each caller can check it got its own rows. */
function recordingModel() {
  const calls: number[] = [];
  const run: RunBatch = async (input, n) => {
    calls.push(n);
    const size = input.length / n;
    const embedding = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += input[i * size + j];
      embedding.set([sum, n], i * 2);
    }
    return { embedding, dim: 2 };
  };
  return { calls, run };
}

const samples = (values: number[], size: number) => new Float32Array(values.flatMap((v) => Array(size).fill(v)));

describe("DynamicBatcher", () => {
  it("runs requests that arrive together as one call and gives each its own rows", async () => {
    const model = recordingModel();
    const b = new DynamicBatcher(model.run, { sampleSize: 3, maxBatch: 64, maxWaitMs: 5 });
    const outs = await Promise.all([b.submit(samples([1, 2], 3), 2), b.submit(samples([10], 3), 1), b.submit(samples([100, 200, 300], 3), 3)]);
    expect(model.calls).toEqual([6]);
    expect(Array.from(outs[0].embedding)).toEqual([3, 6, 6, 6]);
    expect(Array.from(outs[1].embedding)).toEqual([30, 6]);
    expect(Array.from(outs[2].embedding)).toEqual([300, 6, 600, 6, 900, 6]);
    expect(b.stats).toEqual({ calls: 1, samples: 6 });
  });

  it("with maxWaitMs 0, batches what arrives in the same turn of the event loop without waiting for more", async () => {
    const model = recordingModel();
    const b = new DynamicBatcher(model.run, { sampleSize: 1, maxBatch: 64, maxWaitMs: 0 });
    await Promise.all([b.submit(samples([1], 1), 1), b.submit(samples([2], 1), 1)]);
    await b.submit(samples([3], 1), 1);
    expect(model.calls).toEqual([2, 1]);
  });

  it("never puts more than maxBatch samples in a call, except a single larger request alone", async () => {
    const model = recordingModel();
    const b = new DynamicBatcher(model.run, { sampleSize: 1, maxBatch: 4, maxWaitMs: 1 });
    await Promise.all([b.submit(samples([1, 1, 1], 1), 3), b.submit(samples([1, 1], 1), 2), b.submit(samples([1, 1, 1, 1, 1, 1], 1), 6), b.submit(samples([1], 1), 1)]);
    expect(model.calls.every((n) => n <= 4 || n === 6)).toBe(true);
    expect(model.calls.reduce((a, b) => a + b, 0)).toBe(12);
    expect(model.calls).toContain(6);
  });

  it("gathers what arrives while a call is in flight into the next call", async () => {
    const model = recordingModel();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: RunBatch = async (input, n) => {
      if (model.calls.length === 0) await gate;
      return model.run(input, n);
    };
    const b = new DynamicBatcher(slow, { sampleSize: 1, maxBatch: 100, maxWaitMs: 0 });
    const first = b.submit(samples([1], 1), 1);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [2, 3, 4].map((v) => b.submit(samples([v], 1), 1));
    release();
    await Promise.all([first, ...rest]);
    expect(model.calls).toEqual([1, 3]);
  });

  it("fails every request of a failed call, and keeps serving afterwards", async () => {
    let fail = true;
    const b = new DynamicBatcher(
      async (input, n) => {
        if (fail) throw new Error("model exploded");
        return { embedding: new Float32Array(n), dim: 1 };
      },
      { sampleSize: 1, maxBatch: 8, maxWaitMs: 1 },
    );
    const results = await Promise.allSettled([b.submit(samples([1], 1), 1), b.submit(samples([2], 1), 1)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(b.submit(samples([3], 1), 1)).resolves.toMatchObject({ dim: 1 });
  });

  it("refuses input whose length is not n samples", () => {
    const b = new DynamicBatcher(recordingModel().run, { sampleSize: 4, maxBatch: 8, maxWaitMs: 1 });
    expect(() => b.submit(new Float32Array(7), 2)).toThrow(/expected 2 × 4 values, got 7/);
  });
});
