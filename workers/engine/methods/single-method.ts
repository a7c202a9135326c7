import { createByol } from "./byol";
import { createMaskedModeling } from "./masked-modeling";
import type { MethodEnv, PretextMethod } from "./method";
import { createMoco } from "./moco";
import { createScarf } from "./scarf";
import { createSimclr } from "./simclr";
import { singleMethodSchema, type SingleMethodConfig } from "../../../server/jobs/configs/methods";

export { singleMethodSchema, type SingleMethodConfig };

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
