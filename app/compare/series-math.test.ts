import { describe, expect, it } from "vitest";
import type { ParamValue } from "@/app/lib/parcoords";
import { differingParams, runColor, smoothEma } from "./series-math";

describe("compare view helpers", () => {
  it("smooths with a debiased EMA and leaves gaps alone", () => {
    expect(smoothEma([1, 2, 3], 0)).toEqual([1, 2, 3]);
    // w = 0.5: raw averages 0.5, 1.25, 2.125 divided by 1 - 0.5^n = 0.5, 0.75, 0.875
    const s = smoothEma([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(5 / 3, 12);
    expect(s[2]).toBeCloseTo(17 / 7, 12);
    const gap = smoothEma([4, Number.NaN, 4], 0.9);
    expect(gap[0]).toBeCloseTo(4, 12);
    expect(gap[1]).toBeNaN();
    expect(gap[2]).toBeCloseTo(4, 12); // a constant stays constant across the gap
  });

  it("finds the params that differ, counting a missing one as different", () => {
    const runs: { params: Record<string, ParamValue> }[] = [
      { params: { method: "simclr", lr: 0.1, seed: 1, bn: true } },
      { params: { method: "simclr", lr: 0.01, seed: 1, bn: true } },
      { params: { method: "simclr", lr: 0.1, seed: 1 } },
    ];
    expect(differingParams(runs)).toEqual(["bn", "lr"]);
    expect(differingParams([runs[0]])).toEqual([]);
  });

  it("gives 20+ runs distinct colours", () => {
    const colors = Array.from({ length: 40 }, (_, i) => runColor(i));
    expect(new Set(colors).size).toBe(40);
  });
});
