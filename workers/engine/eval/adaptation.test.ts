import { beforeAll, describe, expect, it } from "vitest";
import { makeAugmenter } from "../augment/augmenter";
import { initBackend } from "../backend";
import type { LabeledView } from "../data/splits";
import { buildEncoder } from "../models/encoder";
import { ParamSet } from "../models/param-set";
import { encodeTensorFile } from "../models/tensor-file";
import { Rng } from "../rng";
import { loadEncoder } from "./encoder-file";
import { trainEncoderClassifier } from "./encoder-classifier";
import { embedView } from "./features";
import { finetune } from "./finetune";
import { fixmatch } from "./fixmatch";
import { subView, type LabeledData } from "./labeled-data";
import { fitStandardizedHead, fitProbeHead } from "./probe-head";
import { adapterProtocol } from "./adapter";
import { fitStandardizer, selectRows, standardize } from "./features";
import { stratifiedHoldout } from "./holdout";
import { parseEvalSuite } from "./suite";

beforeAll(async () => {
  await initBackend("cpu");
});

const SHAPE = [4, 4, 1];

/** n 4×4 images of 4 classes: class c lights up quadrant c (+signal) over N(0, 0.5²) noise. */
function images(n: number, seed: number, signal = 1.5): LabeledView {
  const rng = new Rng(seed);
  const x = rng.normals(n * 16, 0.5);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  for (let i = 0; i < n; i++) {
    const [r0, c0] = [2 * Math.floor(labels[i] / 2), 2 * (labels[i] % 2)];
    for (const [r, c] of [[r0, c0], [r0, c0 + 1], [r0 + 1, c0], [r0 + 1, c0 + 1]]) x[i * 16 + r * 4 + c] += signal;
  }
  return { source: { x, labels, count: n }, shape: SHAPE, indices: Int32Array.from({ length: n }, (_, i) => i), labels };
}

/** A randomly initialised MLP encoder in the encoder.ptx format: its features still carry the quadrant signal. */
async function encoderFile(): Promise<Uint8Array> {
  const params = new ParamSet();
  const encoder = { kind: "mlp" as const, hidden: [32], embeddingDim: 16 };
  buildEncoder(encoder, SHAPE, params, "encoder", new Rng(5));
  const meta = { kind: "pretext-encoder", encoder, inputShape: SHAPE, outDim: 16, method: "simclr", dataset: { name: "quadrants", checksum: "x" }, steps: 0 };
  const bytes = await encodeTensorFile(meta, Object.fromEntries(params.entries()));
  params.dispose();
  return bytes;
}

const NO_AUGMENT = { crop: 0, flip: 0, colorJitter: 0, noise: 0, cutout: 0, featureCorruption: 0 };
const policy = (name: string, config: Partial<typeof NO_AUGMENT>) => ({ name, config: { ...NO_AUGMENT, ...config }, augment: makeAugmenter("image", { ...NO_AUGMENT, ...config }) });

/** 300 labeled images (a third of them the validation split), 400 test images and their features. */
async function labeledData(bytes: Uint8Array, signal = 1.5): Promise<LabeledData> {
  const labeled = images(300, 1, signal);
  const test = images(400, 3, signal);
  const { fit, val } = stratifiedHoldout(labeled.labels, 1 / 3, 0);
  const frozen = loadEncoder(bytes, false);
  const apply = frozen.encoder.apply.bind(frozen.encoder);
  const labeledFeatures = await embedView(labeled, apply, 16, 256);
  const features = { labeled: labeledFeatures, fit: selectRows(labeledFeatures, fit), val: selectRows(labeledFeatures, val), test: await embedView(test, apply, 16, 256) };
  frozen.dispose();
  return {
    numClasses: 4,
    labeled,
    fit: subView(labeled, fit),
    val: subView(labeled, val),
    test,
    unlabeled: images(400, 4, signal),
    features,
    policies: [policy("none", {})],
    selection: { weightDecays: [1e-4], cvFolds: 3, cvMaxRows: 3000, validationFraction: 1 / 3, seed: 0 },
  };
}

describe("fine-tuning (LP-FT)", () => {
  it("starts from the linear probe's accuracy, not from chance", async () => {
    const bytes = await encoderFile();
    const data = await labeledData(bytes);
    // a learning rate of ~0 leaves the weights where they start: the accuracy is that of the start
    const suite = parseEvalSuite({ dataset: { kind: "fashion-mnist" }, finetune: { lrs: [1e-12], maxSteps: 4, evalEvery: 2 }, linearProbe: { l2Grid: [1e-3, 1e-1] } });
    const probeHead = await fitProbeHead(data.features.fit, data.fit.labels, data.features.val, data.val.labels, 4, suite.linearProbe, 0);
    expect(probeHead.validationAccuracy).toBeGreaterThan(0.8); // chance is 0.25

    const tuned = await finetune(data, bytes, suite.finetune, suite.linearProbe, 0);
    expect(tuned.validationAccuracy).toBeGreaterThan(0.8); // the probe's, on each fold
    expect(tuned.accuracy).toBeGreaterThan(0.8);

    // the same encoder with a randomly initialised head starts near chance
    const randomHead = await trainEncoderClassifier(data, () => loadEncoder(bytes, true), 0.1, suite.finetune, 0);
    expect(randomHead.accuracy).toBeLessThan(0.6);
  });

  it("improves on the probe when the encoder trains at a real learning rate", async () => {
    const bytes = await encoderFile();
    const data = await labeledData(bytes);
    const suite = parseEvalSuite({ dataset: { kind: "fashion-mnist" }, finetune: { lrs: [3e-3], maxSteps: 200, evalEvery: 20, batchSize: 64 }, linearProbe: { l2Grid: [1e-3, 1e-1] } });
    const tuned = await finetune(data, bytes, suite.finetune, suite.linearProbe, 0);
    expect(tuned.accuracy).toBeGreaterThan(0.85);
  });
});

describe("choosing the recipe on the labeled subset", () => {
  it("refuses a flip where a mirror image is another class, and counts every step it spent", async () => {
    const bytes = await encoderFile();
    // quadrant images: mirroring turns class 0 (top left) into class 1 (top right), so flips teach wrong labels
    const data = { ...(await labeledData(bytes)), policies: [policy("flip", { flip: 1 }), policy("none", {})] };
    const o = { lrs: [3e-3], batchSize: 64, epochs: 1000, maxSteps: 60, evalEvery: 20 };
    const result = await trainEncoderClassifier(data, () => loadEncoder(bytes, true), 1, o, 0);
    expect(result.chosen.policy).toBe("none");
    expect(result.chosen.folds).toBe(3);
    // 2 policies × 3 folds × 60 steps to choose, then the chosen length on every labeled image
    expect(result.budgetSteps).toBe(2 * 3 * 60 + Number(result.chosen.steps));
    expect([20, 40, 60]).toContain(result.chosen.steps);
    expect(result.accuracy).toBeGreaterThan(0.8);
  });
});

describe("FixMatch", () => {
  const noise = makeAugmenter("image", { ...NO_AUGMENT, noise: 1 });
  const length = { lrs: [3e-3], batchSize: 64, epochs: 1000, maxSteps: 60, evalEvery: 20 };

  it("continues from the fine-tuned network with its recipe", async () => {
    const bytes = await encoderFile();
    const data = await labeledData(bytes);
    const suite = parseEvalSuite({ dataset: { kind: "fashion-mnist" }, finetune: length, fixmatch: { maxSteps: 4 }, linearProbe: { l2Grid: [1e-3] } });
    const tuned = await finetune(data, bytes, suite.finetune, suite.linearProbe, 0, true);
    // at a learning rate of ~0 the network stays where fine-tuning left it
    const still = { ...tuned, recipe: { ...tuned.recipe, lr: 1e-12 } };
    const continued = await fixmatch(data, bytes, still, suite.fixmatch, noise, 0);
    expect(continued.accuracy).toBe(tuned.accuracy);
    expect(continued.chosen).toMatchObject({ policy: "none", steps: 4, budgetSteps: tuned.budgetSteps + 4 });
  });

  it("learns from the unlabeled pool: beats the same steps on the labels alone", async () => {
    const bytes = await encoderFile();
    const full = await labeledData(bytes, 1); // a weaker signal than the other tests: 1 label per class is not enough
    const rows = Int32Array.from({ length: 4 }, (_, i) => i); // 1 label per class
    const data = { ...full, labeled: subView(full.labeled, rows), features: { ...full.features, labeled: selectRows(full.features.labeled, rows) } };
    const recipe = { policy: data.policies[0], lr: 3e-3, weightDecay: 1e-4 };
    // one label per class cannot be cross-validated: fine-tune with a given recipe
    const tuned = await trainEncoderClassifier(data, () => loadEncoder(bytes, true), 1, { ...length, batchSize: 4, maxSteps: 30 }, 0, { recipe, keepWeights: true });
    const net = { maxSteps: 300, batchSize: 4, unlabeledBatchSize: 64, strongStrength: 0.3, encoderLrScale: 1 };
    const semi = await fixmatch(data, bytes, tuned, parseEvalSuite({ dataset: { kind: "fashion-mnist" }, fixmatch: net }).fixmatch, noise, 0);
    const labelsOnly = await fixmatch(data, bytes, tuned, parseEvalSuite({ dataset: { kind: "fashion-mnist" }, fixmatch: { ...net, unlabeledWeight: 0 } }).fixmatch, noise, 0);
    expect(semi.accuracy).toBeGreaterThan(labelsOnly.accuracy + 0.04);
  });
});

describe("adapter", () => {
  it("starts from the linear probe on the standardized features, not from a random head", async () => {
    const data = await labeledData(await encoderFile());
    const suite = parseEvalSuite({ dataset: { kind: "fashion-mnist" }, adapter: { lrs: [1e-12], maxSteps: 4, evalEvery: 2, patience: 1 }, linearProbe: { l2Grid: [1e-3, 1e-1] } });
    const s = fitStandardizer(data.features.fit);
    const probeHead = await fitStandardizedHead(standardize(data.features.fit, s), data.fit.labels, standardize(data.features.val, s), data.val.labels, 4, suite.linearProbe, 0);
    expect(probeHead.validationAccuracy).toBeGreaterThan(0.8); // chance is 0.25
    const adapted = await adapterProtocol(data, suite.adapter, suite.linearProbe, 0);
    expect(adapted.validationAccuracy).toBeCloseTo(probeHead.validationAccuracy, 5);
    expect(adapted.accuracy).toBeGreaterThan(0.8);
  });

  it("keeps or improves the probe's validation accuracy when it trains", async () => {
    const data = await labeledData(await encoderFile());
    const suite = parseEvalSuite({ dataset: { kind: "fashion-mnist" }, adapter: { lrs: [3e-3], maxSteps: 200, evalEvery: 20, patience: 4, batchSize: 64 }, linearProbe: { l2Grid: [1e-3, 1e-1] } });
    const probeHead = await fitProbeHead(data.features.fit, data.fit.labels, data.features.val, data.val.labels, 4, suite.linearProbe, 0);
    const adapted = await adapterProtocol(data, suite.adapter, suite.linearProbe, 0);
    expect(adapted.validationAccuracy).toBeGreaterThanOrEqual(probeHead.validationAccuracy);
    expect(adapted.accuracy).toBeGreaterThan(0.8);
  });
});
