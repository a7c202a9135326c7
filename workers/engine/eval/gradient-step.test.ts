import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, expect, it } from "vitest";
import { initBackend } from "../backend";
import { crossEntropy } from "./gradient-step";

beforeAll(async () => {
  await initBackend("cpu");
});

it("cross-entropy: the mean over rows, and with weights the mean of the weighted rows", () => {
  // row 0: logits (0, 0), label 0 → −ln ½ = ln 2; row 1: logits (ln 3, 0), label 1 → −ln ¼ = ln 4
  const logits = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
  const labels = tf.tensor1d([0, 1], "int32");
  expect(crossEntropy(logits, labels).dataSync()[0]).toBeCloseTo((Math.LN2 + Math.log(4)) / 2, 6);
  // a 0/1 mask keeps the masked row in the denominator, as FixMatch averages over the whole batch
  expect(crossEntropy(logits, labels, tf.tensor1d([1, 0])).dataSync()[0]).toBeCloseTo(Math.LN2 / 2, 6);
  expect(crossEntropy(logits, labels, tf.tensor1d([0, 2])).dataSync()[0]).toBeCloseTo(Math.log(4), 6);
});
