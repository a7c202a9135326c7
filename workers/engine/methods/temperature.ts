import { z } from "zod";

/** τ below 0.01 makes exp(sim/τ) overflow float32 for cosine similarities near 1. */
export const temperatureSchema = z
  .number()
  .min(0.01, "temperature must be ≥ 0.01 (exp(1/τ) overflows float32 for smaller τ)")
  .max(10, "temperature must be ≤ 10 (larger τ flattens all similarities)");
