/** Backend selection, required kernels per backend, and a real CNN training step on each. */
import * as tf from "@tensorflow/tfjs-core";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { backendName, initBackend } from "./index";
import { REQUIRED_KERNELS } from "./required-kernels";

/**
 * WebGPU runs here on a software adapter (Mesa's llvmpipe, which .ci/run installs): CI fails
 * without one; elsewhere the webgpu cases are skipped with the reason.
 */
const webgpu = await initBackend("webgpu").then((b) => b, (err: Error) => err.message);
if (typeof webgpu === "string" && process.env.CI) throw new Error(`CI needs a WebGPU adapter: ${webgpu}`);
const SUPPORTED = ["wasm", "cpu", ...(typeof webgpu === "string" ? [] : ["webgpu"])];

describe("initBackend", () => {
  it("picks a backend, records its name and device, and is idempotent", async () => {
    await initBackend("wasm");
    const first = await initBackend();
    expect(first).toEqual({ name: "wasm", device: expect.stringMatching(/\(\d+ cores\)$/) });
    expect(await initBackend()).toEqual(first);
    expect(backendName()).toBe(first.name);
  });

  it.skipIf(typeof webgpu === "string" || !webgpu.device.endsWith(", software)"))("uses a software WebGPU adapter only when webgpu is named", async () => {
    expect(webgpu).toEqual({ name: "webgpu", device: expect.stringMatching(/^llvmpipe.*\(mesa, software\)$/) });
    // a fresh process choosing by itself passes the software adapter by
    const script = 'import { initBackend } from "./workers/engine/backend"; console.log(JSON.stringify(await initBackend()));';
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, PRETEXT_BACKEND: "" } });
    expect(JSON.parse(out.trim().split("\n").pop()!).name).not.toBe("webgpu");
  });

  it("forcing a native backend that cannot load says which one and why", async () => {
    await expect(initBackend("tensorflow")).rejects.toThrow(/backend 'tensorflow' is not available: @tensorflow\/tfjs-node could not be loaded/);
    await expect(initBackend("tensorflow-gpu")).rejects.toThrow(/backend 'tensorflow-gpu' is not available/);
  });

  it("rejects an unknown backend name, listing the valid ones", async () => {
    await expect(initBackend("tpu")).rejects.toThrow(/unknown backend 'tpu'.*tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });

  it("honours PRETEXT_BACKEND", async () => {
    process.env.PRETEXT_BACKEND = "cpu";
    try {
      expect((await initBackend()).name).toBe("cpu");
      expect(tf.getBackend()).toBe("cpu");
    } finally {
      delete process.env.PRETEXT_BACKEND;
    }
  });
});

describe.each(SUPPORTED)("%s backend", (name) => {
  it("registers every kernel the engine needs", async () => {
    await initBackend(name);
    const missing = REQUIRED_KERNELS.filter((k) => tf.getKernel(k, name) === undefined);
    expect(missing).toEqual([]);
  });

  it("runs a small CNN training step with the same gradients as the CPU backend, leaking nothing", async () => {
    const expected = await trainingStep("cpu");
    const actual = await trainingStep(name);
    expect(actual.leaked).toBe(0);
    expect(actual.loss).toBeCloseTo(expected.loss, 4);
    actual.grads.forEach((g, i) => {
      const scale = Math.max(...expected.grads[i].map(Math.abs));
      const err = Math.max(...g.map((v, j) => Math.abs(v - expected.grads[i][j])));
      expect(err / scale).toBeLessThan(1e-4);
    });
  });
});

/** conv-relu-maxpool ×2, dense, on 4 random 12×12 images with fixed weights; one SGD step. */
async function trainingStep(name: string): Promise<{ loss: number; grads: Float32Array[]; leaked: number }> {
  await initBackend(name);
  const seeded = <T extends tf.Tensor>(shape: number[], seed: number) => tf.randomUniform(shape, -0.5, 0.5, "float32", seed) as T;
  const x = seeded<tf.Tensor4D>([4, 12, 12, 1], 1);
  const params = tf.tidy(() =>
    [seeded([3, 3, 1, 4], 2), seeded([4], 3), seeded([3, 3, 4, 6], 4), seeded([6], 5), seeded([3 * 3 * 6, 5], 6)].map((t) => tf.variable(t)));
  const before = tf.memory().numTensors;
  const [c1, b1, c2, b2, w] = params as unknown as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor2D];
  const optimizer = tf.train.sgd(0.1);
  const { value, grads } = tf.variableGrads(() => {
    const a1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1, 1, "same"), b1)) as tf.Tensor4D, 2, 2, "valid");
    const a2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(a1, c2, 1, "same"), b2)) as tf.Tensor4D, 2, 2, "same");
    const logits = tf.matMul(tf.reshape(a2, [4, 3 * 3 * 6]), w);
    return tf.mean(tf.logSumExp(logits, 1));
  }, params);
  // asynchronous reads: WebGPU has no synchronous one under Node
  const result = { loss: (await value.data())[0], grads: await Promise.all(params.map(async (p) => (await grads[p.name].data()) as Float32Array)) };
  optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  optimizer.dispose();
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, ...params]);
  return { ...result, leaked };
}
