import { z } from "zod";
import { byolSchema } from "./byol";
import { maskedModelingSchema } from "./masked-modeling";
import type { MethodEnv, PretextMethod } from "./method";
import { mocoSchema } from "./moco";
import { createMultiTask, multiTaskSchema } from "./multi-task";
import { scarfSchema } from "./scarf";
import { simclrSchema } from "./simclr";
import { createSingleMethod } from "./single-method";

/** A pretext task or a weighted combination of several, chosen by `name`. */
export const methodSchema = z.discriminatedUnion("name", [
  simclrSchema,
  mocoSchema,
  byolSchema,
  maskedModelingSchema,
  scarfSchema,
  multiTaskSchema,
]);

export type MethodConfig = z.input<typeof methodSchema>;

export function createMethod(cfg: MethodConfig, env: MethodEnv): PretextMethod {
  return cfg.name === "multitask" ? createMultiTask(cfg, env) : createSingleMethod(cfg, env);
}
