import { describe, expect, it } from "vitest";
import { Rng } from "../rng";
import { symmetricEigenvalues } from "./symmetric-eigenvalues";

describe("symmetricEigenvalues", () => {
  it("solves a 2×2 by hand: [[2, 1], [1, 2]] has eigenvalues 3 and 1", () => {
    const ev = symmetricEigenvalues([2, 1, 1, 2], 2);
    expect(ev[0]).toBeCloseTo(3, 12);
    expect(ev[1]).toBeCloseTo(1, 12);
  });

  it("solves a 3×3 with known spectrum: [[4, 1, 0], [1, 4, 1], [0, 1, 4]] → 4 ± √2, 4", () => {
    const ev = symmetricEigenvalues([4, 1, 0, 1, 4, 1, 0, 1, 4], 3);
    expect(Array.from(ev)).toEqual([expect.closeTo(4 + Math.SQRT2, 10), expect.closeTo(4, 10), expect.closeTo(4 - Math.SQRT2, 10)]);
  });

  it("preserves trace and Frobenius norm of a random 64×64 covariance", () => {
    const d = 64;
    const rng = new Rng(2);
    const x = Array.from({ length: 100 * d }, () => rng.normal());
    const c = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let r = 0; r < 100; r++) c[i * d + j] += (x[r * d + i] * x[r * d + j]) / 100;
    const ev = symmetricEigenvalues(c, d);
    const trace = Array.from({ length: d }, (_, i) => c[i * d + i]).reduce((a, b) => a + b);
    expect(ev.reduce((a, b) => a + b)).toBeCloseTo(trace, 8);
    expect(ev.reduce((a, b) => a + b * b, 0)).toBeCloseTo(c.reduce((a, b) => a + b * b, 0), 6);
    expect(Math.min(...ev)).toBeGreaterThan(-1e-9); // a covariance is positive semi-definite
  });

  it("rejects a non-symmetric matrix", () => {
    expect(() => symmetricEigenvalues([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
  });
});
