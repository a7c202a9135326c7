import { describe, expect, it } from "vitest";
import { learningRateAt } from "./lr-schedule";

describe("learningRateAt", () => {
  const cfg = { warmupSteps: 4, minLrFraction: 0.1 };
  it("warms up linearly, then decays along a cosine to the minimum", () => {
    expect(learningRateAt(0, 104, 1, cfg)).toBeCloseTo(0.25, 12);
    expect(learningRateAt(3, 104, 1, cfg)).toBeCloseTo(1, 12);
    expect(learningRateAt(4, 104, 1, cfg)).toBeCloseTo(1, 12); // start of the decay
    expect(learningRateAt(54, 104, 1, cfg)).toBeCloseTo(0.55, 12); // halfway: 0.1 + 0.9·(1 + cos(π/2))/2
    expect(learningRateAt(104, 104, 1, cfg)).toBeCloseTo(0.1, 12);
  });
});
