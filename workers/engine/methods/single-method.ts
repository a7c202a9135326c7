import { z } from "zod";
import { byolSchema, createByol } from "./byol";
import { createMaskedModeling, maskedModelingSchema } from "./masked-modeling";
import type { MethodEnv, PretextMethod } from "./method";
import { createMoco, mocoSchema } from "./moco";
import { createScarf, scarfSchema } from "./scarf";
import { createSimclr, simclrSchema } from "./simclr";

/** Any one pretext task, chosen by `name`. */
export const singleMethodSchema = z.discriminatedUnion("name", [
  simclrSchema,
  mocoSchema,
  byolSchema,
  maskedModelingSchema,
  scarfSchema,
]);

export type SingleMethodConfig = z.input<typeof singleMethodSchema>;

export function createSingleMethod(cfg: SingleMethodConfig, env: MethodEnv): PretextMethod {
  switch (cfg.name) {
    case "simclr":
      return createSimclr(cfg, env);
    case "moco":
      return createMoco(cfg, env);
    case "byol":
      return createByol(cfg, env);
    case "masked":
      return createMaskedModeling(cfg, env);
    case "scarf":
      return createScarf(cfg, env);
  }
}
