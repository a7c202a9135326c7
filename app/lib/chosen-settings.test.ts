import { describe, expect, it } from "vitest";
import { describeSettings } from "./chosen-settings";

describe("describeSettings", () => {
  it("names the known settings in a fixed order, then the rest", () => {
    expect(describeSettings({ budgetSteps: "10400 / 10200", steps: "800 / 600", policy: "crop / crop+flip", lr: "0.002", folds: "3", k: "20" })).toBe(
      "policy crop / crop+flip · lr 0.002 · 800 / 600 steps · 3-fold CV · budget 10400 / 10200 steps · k 20",
    );
    expect(describeSettings({ l2: "0.01" })).toBe("λ 0.01");
    expect(describeSettings({ folds: "0" })).toBe("no validation (continues fine-tuning)");
    expect(describeSettings({})).toBe("");
  });
});
