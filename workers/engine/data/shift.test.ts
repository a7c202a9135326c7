import { describe, expect, it } from "vitest";
import { seededRandom } from "@/server/random";
import { applyShift, drawIndices, parseShift, shiftSchema, type Shift } from "./shift";

const PIXELS: [number, number] = [0, 255];
const rng = () => seededRandom(7);
const shiftImage = (values: number[], shape: number[], shift: Shift, range = PIXELS) => Array.from(applyShift(Float32Array.from(values), 1, shape, shift, rng(), range));

describe("applyShift", () => {
  it("brightness adds a fraction of the range and clips images to it", () => {
    expect(shiftImage([0, 100, 200, 250], [2, 2, 1], { kind: "brightness", amount: 0.1 })).toEqual([25.5, 125.5, 225.5, 255]);
    expect(shiftImage([0, 100, 200, 250], [2, 2, 1], { kind: "brightness", amount: -0.5 })).toEqual([0, 0, 72.5, 122.5]);
    // tabular rows: shifted by the range's width, not clipped
    expect(shiftImage([1.5, -2], [2], { kind: "brightness", amount: 0.25 }, [-2, 2])).toEqual([2.5, -1]);
  });

  it("returns a new array and leaves the input alone", () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    const out = applyShift(x, 1, [2, 2, 1], { kind: "brightness", amount: 0.5 }, rng(), PIXELS);
    expect(out).not.toBe(x);
    expect(Array.from(x)).toEqual([1, 2, 3, 4]);
  });

  it("contrast scales about each sample's own mean, which it keeps", () => {
    const out = applyShift(Float32Array.from([100, 110, 120, 130, 10, 10, 30, 30]), 2, [2, 2, 1], { kind: "contrast", factor: 2 }, rng(), PIXELS);
    expect(Array.from(out)).toEqual([85, 105, 125, 145, 0, 0, 40, 40]);
    expect(shiftImage([0, 255, 128, 128], [2, 2, 1], { kind: "contrast", factor: 3 })).toEqual([0, 255, 128.5, 128.5]); // clipped
    expect(shiftImage([5, 7], [2], { kind: "contrast", factor: 0.5 })).toEqual([5.5, 6.5]);
  });

  it("rotation by 90° turns a 3×3 image counter-clockwise; by 0° it is the identity; 180° reverses it", () => {
    const img = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(shiftImage(img, [3, 3, 1], { kind: "rotation", degrees: 90 })).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(shiftImage(img, [3, 3, 1], { kind: "rotation", degrees: -90 })).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect(shiftImage(img, [3, 3, 1], { kind: "rotation", degrees: 0 })).toEqual(img);
    expect(shiftImage(img, [3, 3, 1], { kind: "rotation", degrees: 180 })).toEqual([...img].reverse());
    // channels move together: pixel (0, 2) of a 2-channel image goes to (0, 0)
    const rgb = shiftImage([0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 3, 2], { kind: "rotation", degrees: 90 });
    expect(rgb.slice(0, 2)).toEqual([1, 2]);
    expect(rgb.slice(2).every((v) => v === 0)).toBe(true);
  });

  it("rotation fills what comes from outside the image with 0 and interpolates bilinearly", () => {
    const ones = new Array(9).fill(100);
    const out = shiftImage(ones, [3, 3, 1], { kind: "rotation", degrees: 45 });
    expect(out[4]).toBeCloseTo(100, 4); // the centre stays
    // corner (0, 0) samples at (x 1, y 1 - √2): 1 - (√2 - 1) of the way from row -1 (outside, 0) to row 0
    expect(out[0]).toBeCloseTo(100 * (2 - Math.SQRT2), 4);
    for (const corner of [0, 2, 6, 8]) expect(out[corner]).toBeLessThan(100);
  });

  it("blur keeps a constant image and spreads a delta symmetrically with weights summing to 1", () => {
    expect(shiftImage(new Array(25).fill(3), [5, 5, 1], { kind: "blur", sigma: 1.5 }).every((v) => Math.abs(v - 3) < 1e-5)).toBe(true);
    const n = 15;
    const delta = new Array(n * n).fill(0);
    const c = 7;
    delta[c * n + c] = 1;
    const out = shiftImage(delta, [n, n, 1], { kind: "blur", sigma: 1 });
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const at = (y: number, x: number) => out[y * n + x];
    let s = 0;
    for (let i = -3; i <= 3; i++) s += Math.exp(-(i * i) / 2);
    expect(at(c, c)).toBeCloseTo(1 / (s * s), 6);
    expect(at(c, c + 1)).toBeCloseTo(Math.exp(-0.5) / (s * s), 6);
    for (let d = 1; d <= 3; d++) {
      expect(at(c, c + d)).toBeCloseTo(at(c, c - d), 7);
      expect(at(c + d, c)).toBeCloseTo(at(c - d, c), 7);
      expect(at(c + d, c)).toBeCloseTo(at(c, c + d), 7);
      expect(at(c, c + d)).toBeLessThan(at(c, c + d - 1));
    }
    expect(at(c, c + 4)).toBe(0); // beyond 3σ
  });

  it("blur works per channel", () => {
    const img = new Array(7 * 7 * 3).fill(0);
    img[(3 * 7 + 3) * 3 + 1] = 10; // channel 1 of the centre pixel; σ 0.8 reaches 3 pixels, not past the border
    const out = shiftImage(img, [7, 7, 3], { kind: "blur", sigma: 0.8 });
    const channel = (ch: number) => out.filter((_, i) => i % 3 === ch).reduce((a, b) => a + b, 0);
    expect(channel(0)).toBe(0);
    expect(channel(2)).toBe(0);
    expect(channel(1)).toBeCloseTo(10, 4);
  });

  it("noise: std 0 is the identity, a seed reproduces it, and its std is the requested fraction of the range", () => {
    const img = [10, 20, 30, 40];
    expect(shiftImage(img, [2, 2, 1], { kind: "noise", std: 0 })).toEqual(img);
    const a = shiftImage(img, [2, 2, 1], { kind: "noise", std: 0.1 });
    expect(a).toEqual(shiftImage(img, [2, 2, 1], { kind: "noise", std: 0.1 }));
    expect(a).not.toEqual(img);
    const b = Array.from(applyShift(Float32Array.from(img), 1, [2, 2, 1], { kind: "noise", std: 0.1 }, seededRandom(8), PIXELS));
    expect(b).not.toEqual(a);

    const n = 10_000;
    const out = applyShift(new Float32Array(n), 1, [n], { kind: "noise", std: 0.2 }, seededRandom(3), [-1, 1]);
    const mean = out.reduce((x, y) => x + y, 0) / n;
    const std = Math.sqrt(out.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean)).toBeLessThan(0.02); // 5 standard errors (0.4/√n)
    expect(std).toBeGreaterThan(0.4 * 0.97);
    expect(std).toBeLessThan(0.4 * 1.03);
  });

  it("noise on images is clipped to the range", () => {
    const out = applyShift(new Float32Array(1000).fill(250), 1, [10, 100, 1], { kind: "noise", std: 0.5 }, seededRandom(2), PIXELS);
    expect(Math.max(...out)).toBe(255);
    expect(Math.min(...out)).toBe(0);
  });

  it("prior changes no values; rotation and blur refuse tabular rows", () => {
    expect(shiftImage([1, 2, 3], [3], { kind: "prior", weights: [1] })).toEqual([1, 2, 3]);
    expect(() => shiftImage([1, 2, 3], [3], { kind: "rotation", degrees: 10 })).toThrow(/rotation needs images .*\[3\]/);
    expect(() => shiftImage([1, 2, 3], [3], { kind: "blur", sigma: 1 })).toThrow(/blur needs images/);
  });

  it("refuses values that are not n samples of the shape", () => {
    expect(() => applyShift(new Float32Array(5), 1, [2, 2, 1], { kind: "brightness", amount: 0 }, rng(), PIXELS)).toThrow(/5 values are not 1 samples of \[2,2,1\]/);
  });
});

describe("drawIndices", () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => i % 2);

  it("draws uniformly from 0..count-1, reproducibly from a seed", () => {
    const a = drawIndices(null, 10, 5000, seededRandom(1));
    expect(a.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(new Set(a).size).toBe(10);
    expect(Array.from(drawIndices(null, 10, 50, seededRandom(1)))).toEqual(Array.from(a.slice(0, 50)));
  });

  it("weights [0, 1] draw only class-1 samples; [1, 3] about three in four", () => {
    const only = drawIndices(labels, 100, 1000, seededRandom(1), [0, 1]);
    expect(only.every((i) => labels[i] === 1)).toBe(true);
    expect(new Set(only).size).toBe(50);
    const mixed = drawIndices(labels, 100, 10_000, seededRandom(2), [1, 3]);
    const ones = mixed.filter((i) => labels[i] === 1).length / mixed.length;
    expect(ones).toBeGreaterThan(0.73);
    expect(ones).toBeLessThan(0.77);
  });

  it("refuses weights without labels, or weights that name no class present", () => {
    expect(() => drawIndices(null, 100, 10, seededRandom(1), [1, 1])).toThrow(/prior needs a labelled dataset/);
    expect(() => drawIndices(labels, 100, 10, seededRandom(1), [0, 0, 1])).toThrow(/no class with a weight above 0 has samples/);
  });
});

describe("parseShift", () => {
  it("parses every kind", () => {
    expect(parseShift("brightness=0.3")).toEqual({ kind: "brightness", amount: 0.3 });
    expect(parseShift("contrast=1.5")).toEqual({ kind: "contrast", factor: 1.5 });
    expect(parseShift("rotation=-15")).toEqual({ kind: "rotation", degrees: -15 });
    expect(parseShift("noise=0")).toEqual({ kind: "noise", std: 0 });
    expect(parseShift("blur=1.5")).toEqual({ kind: "blur", sigma: 1.5 });
    expect(parseShift("prior=1,1,0,0,0,0,0,0,0,5")).toEqual({ kind: "prior", weights: [1, 1, 0, 0, 0, 0, 0, 0, 0, 5] });
  });

  it("names --drift and the reason", () => {
    expect(() => parseShift("hue=3")).toThrow('--drift: unknown kind "hue" (known: brightness, contrast, rotation, noise, blur, prior)');
    expect(() => parseShift("brightness")).toThrow(/--drift: expected kind=value/);
    expect(() => parseShift("noise=abc")).toThrow('--drift noise: "abc" is not a number');
    expect(() => parseShift("noise=")).toThrow(/--drift noise: "" is not a number/);
    expect(() => parseShift("brightness=1.5")).toThrow(/--drift brightness=1.5: brightness must be at most 1/);
    expect(() => parseShift("brightness=-2")).toThrow(/brightness must be at least -1/);
    expect(() => parseShift("contrast=0")).toThrow(/contrast must be above 0/);
    expect(() => parseShift("contrast=11")).toThrow(/contrast must be at most 10/);
    expect(() => parseShift("rotation=181")).toThrow(/rotation must be at most 180 degrees/);
    expect(() => parseShift("noise=1.1")).toThrow(/noise std must be at most 1/);
    expect(() => parseShift("blur=0")).toThrow(/blur sigma must be above 0/);
    expect(() => parseShift("prior=0,0")).toThrow(/prior needs at least one weight above 0/);
    expect(() => parseShift("prior=1,-1")).toThrow(/prior weights must not be negative/);
    expect(() => parseShift("prior=1,,2")).toThrow(/--drift prior: "" is not a number/);
  });

  it("the schema refuses what the CLI form would", () => {
    expect(shiftSchema.safeParse({ kind: "blur", sigma: 20 }).success).toBe(false);
    expect(shiftSchema.safeParse({ kind: "noise", std: Number.NaN }).success).toBe(false);
    expect(shiftSchema.safeParse({ kind: "brightness", amount: 0.2, extra: 1 }).success).toBe(false);
    expect(shiftSchema.parse({ kind: "rotation", degrees: 180 })).toEqual({ kind: "rotation", degrees: 180 });
  });
});
