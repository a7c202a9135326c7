/**
 * A sweep: a grid or random search over any fields of a base pretraining config (see
 * server/jobs/configs/common.ts for why it lives here; server/jobs/sweeps.ts launches it). Every
 * trial's config is checked before anything is queued, and a problem is named on the sweep's own
 * fields: `parameters.optimizer.lr: value -1: …` when a swept value is at fault, `base.…` otherwise.
 */
import { seededRandom } from "@/server/random";
import { z } from "zod";
import { metricKey, name } from "../../names";
import { jobConfigSchemas } from "./jobs";

type Scalar = number | string | boolean;

const fieldPath = z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, "must be a dotted field path such as optimizer.lr");

const parameter = z.union([
  z.object({ values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1, "must list at least one value") }).strict(),
  z
    .object({ min: z.number(), max: z.number(), scale: z.enum(["linear", "log"]).default("linear"), integer: z.boolean().default(false) })
    .strict()
    .refine((r) => r.max > r.min, "max must be greater than min")
    .refine((r) => r.scale === "linear" || r.min > 0, "a log scale needs min > 0"),
]);

/** The sweep's shape, without checking its trials (a stored sweep is read with it). */
export const sweepSpec = z
  .object({
    name: name.default("sweep").describe("The parent run's name; trials are <name>-1, <name>-2, …"),
    experiment: name.default("sweeps").describe("Experiment of the parent and its trials"),
    base: z.record(z.string(), z.unknown()).describe("The pretraining config every trial starts from"),
    method: z.enum(["grid", "random"]).default("grid").describe("grid: every combination of the values, in order; random: seeded draws from the values or ranges"),
    parameters: z
      .record(fieldPath, parameter)
      .refine((p) => Object.keys(p).length > 0, "must name at least one field")
      .describe('Field path → {"values": [...]} or, for random search, {"min", "max", "scale": "linear" | "log", "integer"}, e.g. {"optimizer.lr": {"values": [0.003, 0.001]}}'),
    budget: z.number().int().min(1).max(1000).describe("The most trials to run"),
    metric: metricKey.default("loss").describe("The metric (its last value) that ranks the trials"),
    goal: z.enum(["minimize", "maximize"]).default("minimize").describe("Whether the best trial has the lowest or the highest metric"),
    seed: z.number().int().default(0).describe("Seeds the random draws"),
  })
  .superRefine((s, ctx) => {
    if (s.method !== "grid") return;
    for (const [path, p] of Object.entries(s.parameters)) {
      if (!("values" in p)) ctx.addIssue({ code: "custom", path: ["parameters", path], message: "grid search needs a list of values" });
    }
  });
export type SweepSpec = z.infer<typeof sweepSpec>;

/** A sweep to launch: its shape, and every trial a valid pretraining config. */
export const sweepConfig = sweepSpec.superRefine((s, ctx) => {
  if (s.method === "grid" && Object.values(s.parameters).some((p) => !("values" in p))) return; // the spec's own issue says why
  const room = 200 - `-${s.budget}`.length;
  if (s.name.length > room) ctx.addIssue({ code: "custom", path: ["name"], message: `must be at most ${room} characters (the trials are named <name>-1 to <name>-${s.budget})` });
  for (const issue of sweepTrialIssues(s)) ctx.addIssue({ code: "custom", ...issue });
});
export type SweepConfig = SweepSpec;

/** The assignments of each trial: the grid in order (cut at the budget), or random draws. */
export function sweepTrials(s: SweepSpec): Record<string, Scalar>[] {
  const entries = Object.entries(s.parameters);
  if (s.method === "grid") {
    let grid: Record<string, Scalar>[] = [{}];
    for (const [path, p] of entries) {
      const values = (p as { values: Scalar[] }).values;
      grid = grid.flatMap((g) => values.map((v) => ({ ...g, [path]: v })));
    }
    return grid.slice(0, s.budget);
  }
  const random = seededRandom(s.seed);
  return Array.from({ length: s.budget }, () =>
    Object.fromEntries(
      entries.map(([path, p]) => {
        if ("values" in p) return [path, p.values[Math.floor(random() * p.values.length)]];
        const u = random();
        const v = p.scale === "log" ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min))) : p.min + u * (p.max - p.min);
        return [path, p.integer ? Math.round(v) : v];
      }),
    ),
  );
}

export function withField(config: Record<string, unknown>, path: string, value: Scalar): Record<string, unknown> {
  const out = structuredClone(config);
  const keys = path.split(".");
  let node = out;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return out;
}

export function fieldOf(config: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), config);
}

/** Each trial's assignment and config (the base with the assignment applied). */
export function sweepTrialConfigs(s: SweepSpec): { assignment: Record<string, Scalar>; config: Record<string, unknown> }[] {
  return sweepTrials(s).map((assignment) => ({
    assignment,
    config: Object.entries(assignment).reduce((c, [path, v]) => withField(c, path, v), s.base),
  }));
}

/** At most this many trial problems are reported: the first ones say what to fix. */
const MAX_TRIAL_ISSUES = 10;

/**
 * The problems of the trials' configs, on the sweep's own fields: a problem in (or under) a swept
 * field belongs to that parameter and names the value; one above a swept field (e.g. an unknown
 * key it adds) too, unless the base alone has it; any other belongs to the base. Each is reported once.
 */
export function sweepTrialIssues(s: SweepSpec): { path: PropertyKey[]; message: string }[] {
  const check = (config: unknown) => jobConfigSchemas["sweep-trial"].safeParse(config).error?.issues ?? [];
  const key = (path: PropertyKey[], message: string) => `${path.map(String).join(".")}\u0000${message}`;
  const baseIssues = new Set(check(s.base).map((i) => key(i.path, i.message)));
  const out = new Map<string, { path: PropertyKey[]; message: string }>();
  for (const { assignment, config } of sweepTrialConfigs(s)) {
    for (const issue of check(config)) {
      const at = issue.path.map(String).join(".");
      const under = Object.keys(assignment).find((p) => at === p || at.startsWith(`${p}.`));
      const above = Object.keys(assignment).find((p) => p.startsWith(`${at}.`) || at === "");
      const param = under ?? (above !== undefined && !baseIssues.has(key(issue.path, issue.message)) ? above : undefined);
      const reported =
        param === undefined
          ? { path: ["base", ...issue.path], message: issue.message }
          : { path: ["parameters", param], message: `value ${JSON.stringify(assignment[param])}: ${at === param ? "" : `${at || "(config)"}: `}${issue.message}` };
      out.set(key(reported.path, reported.message), reported);
      if (out.size >= MAX_TRIAL_ISSUES) return [...out.values()];
    }
  }
  return [...out.values()];
}
