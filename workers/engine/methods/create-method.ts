import type { MethodEnv, PretextMethod } from "./method";
import { createMultiTask } from "./multi-task";
import { createSingleMethod } from "./single-method";
import { methodSchema, type MethodConfig } from "../../../server/jobs/configs/methods";

export { methodSchema, type MethodConfig };

export function createMethod(cfg: MethodConfig, env: MethodEnv): PretextMethod {
  return cfg.name === "multitask" ? createMultiTask(cfg, env) : createSingleMethod(cfg, env);
}
