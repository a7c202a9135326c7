import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../rng";
import { colorJitter } from "./color-jitter";
import { cutout } from "./cutout";
import { featureCorruption } from "./feature-corruption";
import { gaussianNoise } from "./gaussian-noise";
import { horizontalFlip } from "./horizontal-flip";
import { randomResizedCrop } from "./random-resized-crop";
import { augmentSchema, type AugmentConfig } from "../../../server/jobs/configs/common";

export { augmentSchema, type AugmentConfig };

/** One random view of a batch: x [n, ...shape] → [n, ...shape]. */
export type Augmenter = (x: tf.Tensor, strength: number, rng: Rng) => tf.Tensor;

export function makeAugmenter(kind: "image" | "tabular", cfg: AugmentConfig): Augmenter {
  if (kind === "tabular") {
    return (x, s, rng) => featureCorruption(x as tf.Tensor2D, cfg.featureCorruption * s, rng);
  }
  const steps: [number, (x: tf.Tensor4D, s: number, rng: Rng) => tf.Tensor4D][] = [
    [cfg.crop, randomResizedCrop],
    [cfg.flip, horizontalFlip],
    [cfg.colorJitter, colorJitter],
    [cfg.noise, gaussianNoise],
    [cfg.cutout, cutout],
  ];
  return (x, s, rng) =>
    tf.tidy(() => {
      let out = x as tf.Tensor4D;
      for (const [weight, aug] of steps) if (weight * s > 0) out = aug(out, weight * s, rng);
      return out === x ? x.clone() : out;
    });
}
