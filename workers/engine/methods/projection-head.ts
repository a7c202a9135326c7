import { mlp } from "../models/mlp";
import type { MethodEnv } from "./method";
import { headSchema, type HeadConfig } from "../../../server/jobs/configs/methods";

export { headSchema, type HeadConfig };

export function projectionHead(env: MethodEnv, name: string, inDim: number, cfg: HeadConfig) {
  return mlp(env.params, `${env.prefix}/${name}`, [inDim, ...cfg.hidden, cfg.outDim], env.rng, {
    batchNorm: cfg.batchNorm,
  });
}
