import { evalSuiteSchema, type EvalSuite } from "../../../server/jobs/configs/eval-suite";

export {
  BASELINES,
  evalSuiteSchema,
  PROTOCOLS,
  type Baseline,
  type EvalSuite,
  type EvalSuiteInput,
  type LinearOptions,
  type Protocol,
} from "../../../server/jobs/configs/eval-suite";

/** The one metric every protocol reports: top-1 accuracy on the dataset's held-out test part. */
export const TEST_ACCURACY = "test_accuracy";

export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuiteError";
  }
}

/** Parses a suite; a bad one throws a SuiteError listing each offending field path and why. */
export function parseEvalSuite(input: unknown): EvalSuite {
  const result = evalSuiteSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SuiteError(`invalid evaluation suite:\n${lines.join("\n")}`);
  }
  return result.data;
}
