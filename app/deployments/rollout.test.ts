import { describe, expect, it } from "vitest";
import type { FlagRule } from "@/drizzle/schema";
import {
  liftChart,
  describeFallback,
  describeGuardrails,
  describeHashing,
  describeRule,
  experimentHref,
  featuresPath,
  formatAgreement,
  formatCheckValue,
  formatInterval,
  formatLift,
  formatMean,
  formatP,
  formatShare,
  liftVerdict,
  parseSteps,
  rampActionsFor,
  rolloutHref,
  shadowCharts,
  stepStates,
} from "./rollout";

const canary: FlagRule = { kind: "force", id: "r0", version: 3, coverage: 0.05, hashAttribute: "id", seed: "canary" };
const test: FlagRule = { kind: "experiment", id: "r1", key: "v2-vs-v1", versions: [1, 2], weights: [0.7, 0.3], coverage: 0.8, hashAttribute: "id", seed: null };

describe("rollout page", () => {
  it("lives where the ramp's rollback email points", () => {
    expect(rolloutHref("fm prod")).toBe("/deployments/fm%20prod/rollout");
    expect(experimentHref("fm", "ramp-1")).toBe("/deployments/fm/rollout?experiment=ramp-1#experiments");
    expect(featuresPath("sdk-abc")).toBe("/api/features/sdk-abc");
  });

  it("words flag rules, and who no rule takes", () => {
    expect(describeRule(canary)).toBe("5 % of users → v3 (canary)");
    expect(describeRule({ ...canary, coverage: 1 })).toBe("All users → v3");
    expect(describeRule(test)).toBe("experiment v2-vs-v1: v1 70 % / v2 30 %, 80 % of users");
    expect(describeRule({ ...test, versions: [1, 2, 3], weights: [1 / 3, 1 / 3, 1 / 3], coverage: 1 })).toBe("experiment v2-vs-v1: v1 33.33 % / v2 33.33 % / v3 33.33 %, all users");
    expect(describeHashing(canary)).toBe("seed canary");
    expect(describeHashing({ ...test, hashAttribute: "company" })).toBe("users told apart by company");
    expect(describeHashing(test)).toBe("");
    expect(describeFallback([canary, test], 1)).toBe("Everyone else → v1 (production)");
    expect(describeFallback([], 1)).toBe("Every user → v1 (production)");
    expect(describeFallback([], null)).toBe("Every user → nothing: the encoder has no production version");
  });

  it("formats shares, lifts, intervals and p-values", () => {
    expect(formatShare(0.3)).toBe("30 %");
    expect(formatShare(0.7)).toBe("70 %");
    expect(formatLift(0.1234)).toBe("+12.34 %");
    expect(formatLift(-0.02)).toBe("−2 %");
    expect(formatLift(0)).toBe("0 %");
    expect(formatInterval([-0.012, 0.256])).toBe("[−1.2 %, +25.6 %]");
    expect(formatP(0.01234)).toBe("0.012");
    expect(formatP(0.5)).toBe("0.50");
    expect(formatP(0.00001)).toBe("< 0.0001");
    expect(formatAgreement(0.99999)).toBe("1.000");
    expect(formatAgreement(null)).toBe("—");
    expect(formatMean("proportion", 0.25)).toBe("25 %");
    expect(formatMean("mean", 3.14159)).toBe("3.142");
  });

  it("judges a lift by its interval and the metric's goal", () => {
    expect(liftVerdict([0.01, 0.2], "increase")).toBe("better");
    expect(liftVerdict([0.01, 0.2], "decrease")).toBe("worse");
    expect(liftVerdict([-0.2, -0.01], "decrease")).toBe("better");
    expect(liftVerdict([-0.1, 0.2], "increase")).toBe("unclear");
  });

  it("reads steps, tells which are done, and offers the actions a status allows", () => {
    expect(parseSteps("10,50, 100%", 60, 100)).toEqual([
      { share: 0.1, minMinutes: 60, minUsers: 100 },
      { share: 0.5, minMinutes: 60, minUsers: 100 },
      { share: 1, minMinutes: 60, minUsers: 100 },
    ]);
    expect(parseSteps("10, x", 0, 0)[1].share).toBeNaN();
    const steps = parseSteps("10,50,100", 60, 100);
    expect(stepStates(steps, 1, "running")).toEqual(["done", "current", "todo"]);
    expect(stepStates(steps, 2, "completed")).toEqual(["done", "done", "done"]);
    expect(stepStates(steps, 0, "rolled_back")).toEqual(["current", "todo", "todo"]);
    expect(rampActionsFor("running")).toEqual(["pause", "promote", "rollback"]);
    expect(rampActionsFor("paused")).toEqual(["resume", "promote", "rollback"]);
    expect(rampActionsFor("rolled_back")).toEqual([]);
  });

  it("words a ramp's guardrails and formats their readings as their figures read", () => {
    expect(describeGuardrails({ maxErrorRate: 0.01, maxP99Ms: 2000, metrics: ["complaints"] })).toBe("error rate ≤ 1 %, p99 ≤ 2,000 ms, complaints not significantly worse");
    expect(describeGuardrails({ maxErrorRate: null, maxP99Ms: null, metrics: [] })).toBe("none");
    expect(formatCheckValue({ guardrail: "error rate", value: 0.005 })).toBe("0.5 %");
    expect(formatCheckValue({ guardrail: "p99 latency (ms)", value: 12.345 })).toBe("12.35 ms");
    expect(formatCheckValue({ guardrail: "clicked", value: -0.1 })).toBe("−10 % lift");
    expect(formatCheckValue({ guardrail: "clicked", value: null })).toBe("—");
  });

  it("draws the shadow's agreement and latency per minute", () => {
    const series = [
      { at: "2026-01-01T00:00:00Z", mirrored: 3, cosineMean: 1, neighbourOverlap: null, p99Ms: 4 },
      { at: "2026-01-01T00:01:00Z", mirrored: 5, cosineMean: 0.99, neighbourOverlap: 0.8, p99Ms: 6 },
    ];
    const { agreement, latency } = shadowCharts(series);
    const lines = agreement.data as { name: string; x: string[]; y: (number | null)[] }[];
    expect(lines.map((l) => l.name)).toEqual(["cosine mean", "neighbour overlap"]);
    expect(lines[1].y).toEqual([null, 0.8]);
    expect((latency.data as { y: number[] }[])[0].y).toEqual([4, 6]);
    expect((latency.layout.xaxis as { range: string[] }).range).toEqual(["2025-12-31T23:59:00.000Z", "2026-01-01T00:02:00.000Z"]);
    expect((shadowCharts([]).latency.layout.xaxis as { range?: string[] }).range).toBeUndefined();
  });
});

describe("the cumulative lift chart", () => {
  it("draws per treatment a lift line in %, its CI as a band and the sequential CI as dashed edges", () => {
    const data = liftChart([
      { at: "2026-12-01T10:00:00Z", users: 100, variations: [{ variationId: 1, lift: 0.1, ci: [-0.2, 0.4], sequentialCi: [-0.5, 0.7] }] },
      { at: "2026-12-01T11:00:00Z", users: 200, variations: [{ variationId: 1, lift: 0.05, ci: [-0.1, 0.2], sequentialCi: null }] },
    ]).data as { y: (number | null)[]; fill?: string; line: { dash?: string } }[];
    expect(data).toHaveLength(5);
    expect(data[0].y).toEqual([-20, -10]);
    expect([data[1].y, data[1].fill]).toEqual([[40, 20], "tonexty"]);
    expect([data[2].y, data[2].line.dash]).toEqual([[-50, null], "dash"]);
    expect(data[4].y).toEqual([10, 5]);
  });
});
