/**
 * Promotion gates: the rules an encoder version's stored benchmark results must meet before it may
 * serve production, e.g. "linear_probe at 1 % ≥ supervised + 0.02 on fashion-mnist".
 */
import { z } from "zod";
import type { GateCheck, GateRule } from "@/drizzle/schema";

export type { GateCheck, GateRule };

export const gateRuleSchema = z.object({
  /** the benchmark the results come from; the version's latest benchmark when left out */
  benchmark: z.string().min(1).max(200).optional(),
  method: z.string().min(1).max(100),
  labelFraction: z.number().gt(0, "must be > 0").max(1, "must be <= 1"),
  metric: z.string().min(1).max(100).default("test_accuracy"),
  /** a method measured in the same evaluation runs (e.g. "supervised"); the threshold is then its mean + margin */
  baseline: z.string().min(1).max(100).optional(),
  /** in the metric's units: 0.02 is two points of accuracy stored as a fraction */
  margin: z.number().finite().default(0),
}) satisfies z.ZodType<GateRule, unknown>;

export const gateRulesSchema = z.array(gateRuleSchema).max(50, "must have at most 50 rules");

/** Mean over seeds of one method at one label fraction, as the label-efficiency curve stores it. */
export interface MeasuredPoint {
  benchmark: string;
  metric: string;
  method: string;
  labelFraction: number;
  mean: number;
  n: number;
}

const sameFraction = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

export function describeRule(r: GateRule): string {
  const pct = `${+(r.labelFraction * 100).toPrecision(6)} %`;
  const rhs = r.baseline ? `${r.baseline}${r.margin ? ` ${r.margin >= 0 ? "+" : "−"} ${Math.abs(r.margin)}` : ""}` : `${r.margin}`;
  return `${r.metric} of ${r.method} at ${pct} labels ≥ ${rhs}${r.benchmark ? ` on ${r.benchmark}` : ""}`;
}

/**
 * Checks every rule against a version's measured points (its latest benchmark stands in for a rule
 * without one). A rule whose method or baseline was never measured fails, saying what is missing.
 */
export function checkGate(rules: GateRule[], points: MeasuredPoint[], latestBenchmark: string | null): GateCheck[] {
  return rules.map((rule) => {
    const benchmark = rule.benchmark ?? latestBenchmark;
    const find = (method: string) =>
      points.find((p) => p.benchmark === benchmark && p.metric === rule.metric && p.method === method && sameFraction(p.labelFraction, rule.labelFraction));
    const fail = (detail: string, value: number | null = null): GateCheck => ({ rule, passed: false, value, required: null, detail });
    if (benchmark === null) return fail("no benchmark results stored for this version");
    const measured = find(rule.method);
    if (!measured) return fail(`${rule.method} at ${rule.labelFraction} was not measured on ${benchmark}`);
    let required = rule.margin;
    if (rule.baseline) {
      const base = find(rule.baseline);
      if (!base) return fail(`baseline ${rule.baseline} at ${rule.labelFraction} was not measured on ${benchmark}`, measured.mean);
      required = base.mean + rule.margin;
    }
    const passed = measured.mean >= required;
    const detail = `${rule.method} ${fmt(measured.mean)} (mean of ${measured.n}) ${passed ? "≥" : "<"} ${fmt(required)}${rule.baseline ? ` (${rule.baseline} + ${rule.margin})` : ""} on ${benchmark}`;
    return { rule: { ...rule, benchmark }, passed, value: measured.mean, required, detail };
  });
}

const fmt = (v: number) => +v.toPrecision(4);
