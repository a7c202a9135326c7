import { scheduleSchema, type ScheduleConfig } from "../../../server/jobs/configs/pretrain";

export { scheduleSchema, type ScheduleConfig };

/**
 * Linear warm-up then cosine decay (Loshchilov & Hutter 2017, https://arxiv.org/abs/1608.03983):
 * lr(s) = base·(s + 1)/W for s < W, then min + (base − min)·(1 + cos(π·(s − W)/(T − W)))/2
 * with min = base·minLrFraction, s the 0-based step, T the total steps.
 */
export function learningRateAt(step: number, totalSteps: number, baseLr: number, cfg: ScheduleConfig): number {
  const w = Math.min(cfg.warmupSteps, totalSteps);
  if (step < w) return (baseLr * (step + 1)) / w;
  const min = baseLr * cfg.minLrFraction;
  const decaySteps = Math.max(1, totalSteps - w);
  const progress = Math.min(1, (step - w) / decaySteps);
  return min + ((baseLr - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}
