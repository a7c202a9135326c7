/**
 * Choosing how a network trains on a labeled subset — augmentation policy, learning rate, weight
 * decay and number of steps — on that subset alone, by the same procedure for the supervised
 * baseline and for fine-tuning: each candidate recipe is trained on every validation fold and scored
 * on the held-out part every few steps; the recipe and step with the best mean accuracy over the
 * folds win (ties keep the earlier candidate and the fewer steps). With few labels the folds are a
 * stratified k-fold cross-validation (a 10 % holdout of 600 images is 60 images: too noisy to tell
 * a flip from no flip), above `cvMaxRows` the validation split.
 */
import { stratifiedFolds, stratifiedHoldout } from "./holdout";
import type { LabeledData, Policy } from "./labeled-data";

export interface Recipe {
  policy: Policy;
  lr: number;
  weightDecay: number;
}

/** Rows of `data.labeled`: fitted on, and held out for scoring. */
export interface Fold {
  fit: Int32Array;
  val: Int32Array;
}

export interface RecipeChoice {
  recipe: Recipe;
  /** Steps at which the mean held-out accuracy peaked. */
  steps: number;
  validationAccuracy: number;
  folds: number;
}

/** Every combination of the data's policies and weight decays with the protocol's learning rates. */
export function candidateRecipes(data: LabeledData, lrs: number[]): Recipe[] {
  return data.policies.flatMap((policy) => lrs.flatMap((lr) => data.selection.weightDecays.map((weightDecay) => ({ policy, lr, weightDecay }))));
}

export function validationFolds(data: LabeledData): Fold[] {
  const { cvFolds, cvMaxRows, validationFraction, seed } = data.selection;
  const labels = data.labeled.labels;
  const smallestClass = Math.min(...countByClass(labels).values());
  if (labels.length <= cvMaxRows && smallestClass >= cvFolds) return stratifiedFolds(labels, cvFolds, seed);
  return [stratifiedHoldout(labels, validationFraction, seed)];
}

/**
 * `score` trains one recipe on one fold and returns its held-out accuracy curve (the same check
 * steps for every fold and recipe: the schedule is the same).
 */
export async function chooseRecipe(candidates: Recipe[], folds: Fold[], score: (recipe: Recipe, fold: Fold) => Promise<{ step: number; accuracy: number }[]>): Promise<RecipeChoice> {
  let best: RecipeChoice | null = null;
  for (const recipe of candidates) {
    const curves: { step: number; accuracy: number }[][] = [];
    for (const fold of folds) curves.push(await score(recipe, fold));
    curves[0].forEach(({ step }, i) => {
      const accuracy = curves.reduce((sum, c) => sum + c[i].accuracy, 0) / curves.length;
      if (!best || accuracy > best.validationAccuracy) best = { recipe, steps: step, validationAccuracy: accuracy, folds: folds.length };
    });
  }
  if (!best) throw new Error("chooseRecipe: no candidates");
  return best;
}

function countByClass(labels: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}
