import { describe, expect, it } from "vitest";
import { describeZodError } from "@/server/errors";
import { monitorInput } from "@/server/drift/monitors";
import { alertEmail, retryDelayMs } from "./email";
import { figuresOf, ruleInput, ruleUpdate } from "./rules";
import { nextRuleState, type RuleState } from "./state";

const minute = 60_000;
const at = (m: number) => ({ start: new Date(m * minute), end: new Date((m + 1) * minute) });

/** Runs a rule over breaches (null: no figure) and returns each window's state and transition. */
function replay(breaches: (boolean | null)[], timing = { consecutive: 2, cooldownMinutes: 0 }) {
  let rule: RuleState = { state: "ok", streak: 0, episodeStart: null, resolvedAt: null };
  return breaches.map((b, w) => {
    const { next, transition } = nextRuleState({ ...rule, ...timing }, b, at(w));
    rule = next;
    return transition ? `${transition.from}>${transition.to}${transition.deduplicated ? " (dedup)" : ""}` : rule.state;
  });
}

describe("an alert rule's states", () => {
  it("fires after `consecutive` breaching windows and resolves after as many clear ones", () => {
    expect(replay([false, true, true, true, false, true, false, false, false])).toEqual(["ok", "ok", "ok>firing", "firing", "firing", "firing", "firing", "firing>resolved", "resolved"]);
  });

  it("needs the breaches in a row: a clear window starts the count again", () => {
    expect(replay([true, false, true, false, true, true])).toEqual(["ok", "ok", "ok", "ok", "ok", "ok>firing"]);
  });

  it("lets a window without the figure change nothing", () => {
    expect(replay([true, null, true, null, null, false, false])).toEqual(["ok", "ok", "ok>firing", "firing", "firing", "firing", "firing>resolved"]);
  });

  it("marks a firing within the cooldown after resolving as the same episode (no second email), and one after it as new", () => {
    const flapping = [true, false, true, false, true];
    expect(replay(flapping, { consecutive: 1, cooldownMinutes: 5 })).toEqual(["ok>firing", "firing>resolved", "resolved>firing (dedup)", "firing>resolved", "resolved>firing (dedup)"]);
    expect(replay([true, false, false, false, false, false, false, true], { consecutive: 1, cooldownMinutes: 5 }).at(-1)).toBe("resolved>firing");
  });

  it("remembers since when the episode runs: the first breaching window", () => {
    let rule: RuleState = { state: "ok", streak: 0, episodeStart: null, resolvedAt: null };
    for (const [w, b] of [[0, false], [1, true], [2, true], [3, true]] as const) rule = nextRuleState({ ...rule, consecutive: 3, cooldownMinutes: 0 }, b, at(w)).next;
    expect(rule).toMatchObject({ state: "firing", episodeStart: at(1).start });
  });
});

describe("alert emails", () => {
  it("say what drifted, the figures against their thresholds, since when, and link the monitor", () => {
    process.env.PRETEXT_PUBLIC_URL = "https://pretext.example.com/";
    try {
      const { subject, body } = alertEmail({
        rule: { name: "embedding drift", figure: "mmd.p_value", direction: "below", threshold: 0.01, consecutive: 2 },
        monitor: { id: 7, name: "embeddings", deployment: "fm prod", target: "embedding" },
        result: { windowIndex: 6, windowStart: new Date("2026-12-01T10:00:00Z"), windowEnd: new Date("2026-12-01T10:05:00Z"), figures: { "mmd.p_value": 0, "mmd.statistic": 0.0123, "ks.p_value": 0.5 }, currentSamples: 200, referenceSamples: 1000 },
        since: new Date("2026-12-01T09:55:00Z"),
        encoder: { name: "fm", version: 3 },
      });
      expect(subject).toBe("[Pretext] drift on fm prod: embeddings mmd.p_value 0 < 0.01");
      expect(body).toContain("deployment fm prod (encoder fm v3)");
      expect(body).toContain("Since: 2026-12-01T09:55:00.000Z (window 6 ended 2026-12-01T10:05:00.000Z; 200 samples against 1000 in the reference)");
      expect(body).toMatch(/mmd\.p_value\s+0 {2}\(threshold < 0\.01\) {2}<-- past threshold/);
      expect(body).toMatch(/ks\.p_value\s+0\.5 {2}\(threshold < 0\.05\)\n/);
      expect(body).toMatch(/mmd\.statistic\s+0\.0123\n/);
      expect(body).toContain("Monitor: https://pretext.example.com/deployments/fm%20prod/monitors/7");
    } finally {
      delete process.env.PRETEXT_PUBLIC_URL;
    }
  });

  it("are retried 30 s, 1, 2, 4 … minutes apart, at most an hour", () => {
    expect([1, 2, 3, 4, 8, 12].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
  });
});

const errorOf = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? "accepted" : describeZodError(r.error as never);
};

describe("monitor and rule configs", () => {
  const monitor = { deployment: "fm", name: "m", target: "embedding", reference: { kind: "dataset", data: "fashion-mnist" }, window: { kind: "count", size: 200 } };

  it("take defaults: MMD and KS, 1,000 reference samples of the test split, checks every 5 minutes", () => {
    expect(monitorInput.parse(monitor)).toMatchObject({ tests: ["mmd", "ks"], reference: { split: "test", size: 1000 }, minSamples: 100, schedule: "*/5 * * * *" });
  });

  it("refuse bad monitors with the field and the reason", () => {
    expect(errorOf(monitorInput, { ...monitor, target: "labels" })).toMatch(/^target: must be one of embedding, input/);
    expect(errorOf(monitorInput, { ...monitor, tests: ["mmd", "mmd"] })).toMatch(/^tests: must not repeat a test/);
    expect(errorOf(monitorInput, { ...monitor, tests: ["t-test"] })).toMatch(/^tests\.0: must be one of mmd, ks, psi, classifier/);
    expect(errorOf(monitorInput, { ...monitor, window: { kind: "count", size: 5 } })).toMatch(/^window\.size: must be >= 10/);
    expect(errorOf(monitorInput, { ...monitor, window: { kind: "hourly" } })).toMatch(/^window\.kind: must be \{"kind": "count"/);
    expect(errorOf(monitorInput, { ...monitor, minSamples: 500 })).toMatch(/^minSamples: must be at most the window size/);
    expect(errorOf(monitorInput, { ...monitor, schedule: "every minute" })).toMatch(/^schedule: must be a cron expression/);
    expect(errorOf(monitorInput, { ...monitor, reference: { kind: "dataset", data: "../../etc" } })).toMatch(/^reference\.data: must be a path inside the data directory/);
    expect(errorOf(monitorInput, { ...monitor, reference: { kind: "dataset", data: "/etc/passwd" } })).toMatch(/^reference\.data: must be a path inside/);
    expect(errorOf(monitorInput, { ...monitor, reference: { kind: "traffic", from: "2026-12-02T00:00:00Z", to: "2026-12-01T00:00:00Z" } })).toMatch(/^reference\.to: must be after from/);
    expect(errorOf(monitorInput, { ...monitor, reference: { kind: "traffic", from: "yesterday", to: "2026-12-01T00:00:00Z" } })).toMatch(/^reference\.from: must be an ISO 8601 time/);
    expect(errorOf(monitorInput, { ...monitor, extra: 1 })).toMatch(/extra/);
  });

  it("refuse bad rules with the field and the reason", () => {
    const rule = { monitorId: 1, name: "r", figure: "mmd.p_value", direction: "below", threshold: 0.01, recipients: ["a@example.com"] };
    expect(ruleInput.parse(rule)).toMatchObject({ consecutive: 2, cooldownMinutes: 60, enabled: true, sender: null });
    expect(errorOf(ruleInput, { ...rule, figure: "accuracy" })).toMatch(/^figure: must be one of mmd\.p_value/);
    expect(errorOf(ruleInput, { ...rule, threshold: Number.NaN })).toMatch(/^threshold: must be a finite number/);
    expect(errorOf(ruleInput, { ...rule, direction: "equal" })).toMatch(/^direction: must be "above" or "below"/);
    expect(errorOf(ruleInput, { ...rule, consecutive: 0 })).toMatch(/^consecutive: must be >= 1/);
    expect(errorOf(ruleInput, { ...rule, cooldownMinutes: -1 })).toMatch(/^cooldownMinutes: must be >= 0/);
    expect(errorOf(ruleInput, { ...rule, recipients: [] })).toMatch(/^recipients: must name at least one address/);
    expect(errorOf(ruleInput, { ...rule, recipients: ["not an address"] })).toMatch(/^recipients\.0: must be an email address/);
    expect(errorOf(ruleUpdate, { threshold: "high" })).toMatch(/^threshold: must be a finite number/);
  });

  it("know which figures a monitor computes", () => {
    expect(figuresOf({ tests: ["mmd"], target: "embedding" })).toEqual(["mmd.p_value", "mmd.statistic"]);
    expect(figuresOf({ tests: ["classifier"], target: "input" })).toEqual(["classifier.auc", "input.mean", "input.std", "input.missing_rate", "input.mean_shift"]);
  });
});
