import type { z } from "zod";
import { pretrainConfigSchema, type PretrainConfig } from "../../server/jobs/configs/pretrain";

/**
 * The pretraining config's schema lives in server/jobs/configs/pretrain.ts (pure zod, with every
 * field described), where the launch service and the launch form check it too.
 */
export {
  evaluationRequestSchema,
  pretrainConfigSchema,
  type EvaluationRequest,
  type PretrainConfig,
  type PretrainConfigInput,
} from "../../server/jobs/configs/pretrain";

/** Parses a config; a bad one throws an Error listing each offending field path and why. */
export function parsePretrainConfig(input: unknown): PretrainConfig {
  const result = pretrainConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid pretraining config:\n${lines.join("\n")}`, result.error);
  }
  return result.data;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly zodError: z.ZodError,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}
