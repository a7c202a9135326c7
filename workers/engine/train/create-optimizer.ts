import { adam } from "./adam";
import type { Optimizer, OptimizerConfig } from "./optimizer";
import { sgdMomentum } from "./sgd-momentum";

export function createOptimizer(cfg: OptimizerConfig): Optimizer {
  if (cfg.name === "sgd") return sgdMomentum(cfg);
  return adam({ ...cfg, decoupled: cfg.name === "adamw" });
}
