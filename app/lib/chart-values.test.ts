import { describe, expect, it } from "vitest";
import { describeHidden, drawableValues, isDrawable, noneHidden } from "./chart-values";

describe("drawable chart values", () => {
  it("leaves NaN, ±Infinity and values past ±1e300 out of the trace and counts them", () => {
    const { y, hidden } = drawableValues([1, Number.NaN, Infinity, -Infinity, 1.7976931348623157e308, -1e301, 1e300, -2.5]);
    expect(y).toEqual([1, null, null, null, null, null, 1e300, -2.5]);
    expect(hidden).toEqual({ nan: 1, posInf: 1, negInf: 1, offScale: 2 });
    expect(describeHidden(hidden)).toBe("5 values not drawn: 1 NaN, 1 +∞, 1 −∞, 2 off-scale (|v| > 1e300)");
  });

  it("adds up over several series and says nothing when all was drawn", () => {
    const hidden = noneHidden();
    drawableValues([Number.NaN], hidden);
    drawableValues([2, Number.NaN], hidden);
    expect(describeHidden(hidden)).toBe("2 values not drawn: 2 NaN");
    expect(describeHidden(drawableValues([0, 1]).hidden)).toBeNull();
    expect(describeHidden({ nan: 0, posInf: 1, negInf: 0, offScale: 0 })).toBe("1 value not drawn: 1 +∞");
  });

  it("tells drawable numbers from the rest", () => {
    expect([0, -3, 1e300, Number.NaN, Infinity, 1e301, null, undefined].map(isDrawable)).toEqual([true, true, true, false, false, false, false, false]);
  });
});
