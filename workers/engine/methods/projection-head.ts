import { z } from "zod";
import { mlp } from "../models/mlp";
import type { MethodEnv } from "./method";

/** MLP on top of the encoder (SimCLR's g(·), BYOL's projector and predictor). */
export const headSchema = z
  .object({
    hidden: z.array(z.number().int().positive()).default([128]),
    outDim: z.number().int().positive().default(64),
    batchNorm: z.boolean().default(true),
  })
  .strict();

export type HeadConfig = z.infer<typeof headSchema>;

export function projectionHead(env: MethodEnv, name: string, inDim: number, cfg: HeadConfig) {
  return mlp(env.params, `${env.prefix}/${name}`, [inDim, ...cfg.hidden, cfg.outDim], env.rng, {
    batchNorm: cfg.batchNorm,
  });
}
