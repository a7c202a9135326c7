import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import type { Rng } from "../rng";
import { colorJitter } from "./color-jitter";
import { cutout } from "./cutout";
import { featureCorruption } from "./feature-corruption";
import { gaussianNoise } from "./gaussian-noise";
import { horizontalFlip } from "./horizontal-flip";
import { randomResizedCrop } from "./random-resized-crop";

/**
 * Per-augmentation weights in [0, 1]; each augmentation runs at weight × the current curriculum
 * strength (0 disables it). Images use crop…cutout, tabular rows use featureCorruption (its value
 * at strength 1 is the corruption rate; SCARF's default is 0.6).
 */
export const augmentSchema = z
  .object({
    crop: z.number().min(0).max(1).default(1),
    flip: z.number().min(0).max(1).default(1),
    noise: z.number().min(0).max(1).default(0.3),
    colorJitter: z.number().min(0).max(1).default(1),
    cutout: z.number().min(0).max(1).default(0),
    featureCorruption: z.number().min(0).max(1).default(0.6),
  })
  .strict();

export type AugmentConfig = z.infer<typeof augmentSchema>;

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
