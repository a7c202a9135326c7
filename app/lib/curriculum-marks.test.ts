import { describe, expect, it } from "vitest";
import { curriculumCaption, curriculumFrom, curriculumLayout } from "./curriculum-marks";

/** difficultyAt of workers/engine/train/curriculum.ts: start 0.3, full after 64 of 128 steps */
const ramp = (steps: number) => Array.from({ length: steps }, (_, step) => ({ step, value: Math.min(1, 0.3 + (0.7 * step) / 64) }));

describe("curriculum marks", () => {
  it("marks the first steps at 50 %, 75 % and full strength", () => {
    const c = curriculumFrom(ramp(128))!;
    expect(c.marks.map((m) => [m.step, m.label])).toEqual([
      [19, "50%"],
      [42, "75%"],
      [64, "full"],
    ]);
    expect([c.startStep, c.startDifficulty, c.fullStep, c.lastStep]).toEqual([0, 0.3, 64, 127]);
    expect(curriculumCaption(c)).toMatch(/ramps up from 30% at step 0 to full strength at step 64\. .*rises during the shaded ramp is expected.*reaches 50%, 75%, full\.$/);
  });

  it("says how far a live run's ramp has come", () => {
    const c = curriculumFrom(ramp(30))!;
    expect(c.fullStep).toBeNull();
    expect(c.marks.map((m) => m.label)).toEqual(["50%"]);
    expect(curriculumCaption(c)).toContain("from 30% at step 0 (62% at step 29 so far)");
  });

  it("marks only thresholds above where the ramp starts, on the logged steps", () => {
    const sparse = [0, 10, 20].map((step) => ({ step, value: Math.min(1, 0.8 + step / 50) }));
    expect(curriculumFrom(sparse)!.marks).toEqual([{ step: 10, difficulty: 1, label: "full" }]);
  });

  it("finds no curriculum at full difficulty throughout, or without points", () => {
    expect(curriculumFrom([{ step: 0, value: 1 }, { step: 1, value: 1 }])).toBeNull();
    expect(curriculumFrom([{ step: 0, value: Number.NaN }])).toBeNull();
    expect(curriculumFrom([])).toBeNull();
  });

  it("draws a shaded ramp, a dotted line per mark and, on request, labels that explain on hover", () => {
    const c = curriculumFrom(ramp(128))!;
    const withLabels = curriculumLayout(c, true);
    expect(withLabels.shapes).toHaveLength(4);
    expect(withLabels.shapes[0]).toMatchObject({ type: "rect", x0: 0, x1: 64, yref: "paper" });
    expect(withLabels.shapes[3]).toMatchObject({ type: "line", x0: 64, x1: 64, line: { dash: "dot" } });
    expect(withLabels.annotations[1]).toMatchObject({ x: 42, text: "75%", hovertext: "curriculum: augmentation strength reaches 75% from step 42" });
    expect(curriculumLayout(c, false).annotations).toEqual([]);
  });
});
