import { describe, expect, it } from "vitest";
import type { LabeledData } from "./labeled-data";
import { candidateRecipes, chooseRecipe, validationFolds, type Recipe } from "./recipe";

const policy = (name: string) => ({ name, config: { crop: 0, flip: 0, colorJitter: 0, noise: 0, cutout: 0, featureCorruption: 0 }, augment: () => { throw new Error("not applied here"); } });

function data(labels: number[], selection: Partial<LabeledData["selection"]> = {}): LabeledData {
  const view = { source: { x: new Float32Array(0), labels: Int32Array.from(labels), count: labels.length }, shape: [1], indices: Int32Array.from(labels, (_, i) => i), labels: Int32Array.from(labels) };
  return { labeled: view, policies: [policy("crop"), policy("crop+flip")], selection: { weightDecays: [5e-4, 5e-2], cvFolds: 3, cvMaxRows: 100, validationFraction: 0.1, seed: 0, ...selection } } as unknown as LabeledData;
}

describe("recipe selection", () => {
  it("tries every policy × learning rate × weight decay", () => {
    const recipes = candidateRecipes(data([0, 1]), [1e-3, 2e-3]);
    expect(recipes.map((r) => [r.policy.name, r.lr, r.weightDecay])).toEqual([
      ["crop", 1e-3, 5e-4], ["crop", 1e-3, 5e-2], ["crop", 2e-3, 5e-4], ["crop", 2e-3, 5e-2],
      ["crop+flip", 1e-3, 5e-4], ["crop+flip", 1e-3, 5e-2], ["crop+flip", 2e-3, 5e-4], ["crop+flip", 2e-3, 5e-2],
    ]);
  });

  it("cross-validates small subsets and holds out a split from large ones or when a class is too small to fold", () => {
    const labels = Array.from({ length: 60 }, (_, i) => i % 3);
    const folds = validationFolds(data(labels));
    expect(folds).toHaveLength(3);
    expect(folds.flatMap((f) => [...f.val]).sort((a, b) => a - b)).toEqual(labels.map((_, i) => i)); // each row held out once
    expect(validationFolds(data(labels, { cvMaxRows: 59 }))).toHaveLength(1);
    expect(validationFolds(data([...labels, 3, 3]))).toHaveLength(1); // class 3 has 2 rows for 3 folds
  });

  it("keeps the recipe and step with the best mean held-out accuracy; ties keep the earlier and the shorter", async () => {
    const [a, b] = candidateRecipes(data([0]), [1e-3]);
    const curves = new Map<Recipe, number[][]>([
      [a, [[0.5, 0.7, 0.7], [0.5, 0.7, 0.7]]], // best 0.7, first at step 200
      [b, [[0.6, 0.9, 0.5], [0.6, 0.5, 0.9]]], // 0.6, 0.7, 0.7: only ties
    ]);
    const folds = [{ fit: new Int32Array(0), val: new Int32Array(0) }, { fit: new Int32Array(0), val: new Int32Array(0) }];
    let fold = 0;
    const choice = await chooseRecipe([a, b], folds, async (r) => curves.get(r)![fold++ % 2].map((accuracy, i) => ({ step: 100 * (i + 1), accuracy })));
    expect(choice).toEqual({ recipe: a, steps: 200, validationAccuracy: 0.7, folds: 2 });
  });
});
