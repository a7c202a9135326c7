/**
 * The curriculum of a pretraining run, read back from its `curriculum/difficulty` series
 * (workers/engine/train/curriculum.ts: difficulty ramps from `start` to 1; it is the augmentation
 * strength, and scales a masked-modeling mask ratio). Harder views raise the loss, so without
 * marks a healthy run's loss looks like it diverges mid-ramp.
 */

export const CURRICULUM_KEY = "curriculum/difficulty";

/** Difficulties whose first step is marked, besides the start. */
const THRESHOLDS = [0.5, 0.75, 1];
const EPS = 1e-9;

export interface CurriculumMark {
  step: number;
  difficulty: number;
  /** short text drawn at the top of the line */
  label: string;
}

export interface Curriculum {
  startStep: number;
  startDifficulty: number;
  /** first logged step at full difficulty; null while the ramp is still going */
  fullStep: number | null;
  lastStep: number;
  lastDifficulty: number;
  marks: CurriculumMark[];
}

const pct = (d: number) => `${Math.round(d * 100)}%`;

/** null when the run had no curriculum (difficulty 1 throughout) or logged none. */
export function curriculumFrom(points: readonly { step: number; value: number }[]): Curriculum | null {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length === 0 || finite.every((p) => p.value >= 1 - EPS)) return null;
  const first = finite[0];
  const last = finite[finite.length - 1];
  const marks: CurriculumMark[] = [];
  for (const t of THRESHOLDS) {
    if (first.value >= t - EPS) continue;
    const reached = finite.find((p) => p.value >= t - EPS);
    if (reached) marks.push({ step: reached.step, difficulty: reached.value, label: t >= 1 ? "full" : pct(t) });
  }
  const full = marks.find((m) => m.label === "full");
  return { startStep: first.step, startDifficulty: first.value, fullStep: full?.step ?? null, lastStep: last.step, lastDifficulty: last.value, marks };
}

/** The sentence under the charts that says what the marks mean. */
export function curriculumCaption(c: Curriculum): string {
  const ramp =
    c.fullStep === null
      ? `ramps up from ${pct(c.startDifficulty)} at step ${c.startStep} (${pct(c.lastDifficulty)} at step ${c.lastStep} so far)`
      : `ramps up from ${pct(c.startDifficulty)} at step ${c.startStep} to full strength at step ${c.fullStep}`;
  return (
    `Curriculum: augmentation strength (the mask ratio, for masked modeling) ${ramp}. ` +
    `Harder views make the pretext task harder, so a loss that rises during the shaded ramp is expected, not a divergence. ` +
    (c.marks.length > 0 ? `Dotted lines: the strength reaches ${c.marks.map((m) => m.label).join(", ")}.` : "")
  );
}

const COLOR = "#bc4c00";

/**
 * Plotly shapes (a shaded ramp, a dotted line per mark) and, with `labels`, annotations at the
 * top of each line whose hover text says what it marks.
 */
export function curriculumLayout(c: Curriculum, labels: boolean): { shapes: object[]; annotations: object[] } {
  const rampEnd = c.fullStep ?? c.lastStep;
  const shapes: object[] = [
    { type: "rect", xref: "x", yref: "paper", x0: c.startStep, x1: rampEnd, y0: 0, y1: 1, fillcolor: COLOR, opacity: 0.06, line: { width: 0 }, layer: "below" },
    ...c.marks.map((m) => ({ type: "line", xref: "x", yref: "paper", x0: m.step, x1: m.step, y0: 0, y1: 1, line: { color: COLOR, width: 1, dash: "dot" } })),
  ];
  const annotations = labels
    ? c.marks.map((m) => ({
        x: m.step,
        xref: "x",
        y: 1,
        yref: "paper",
        yanchor: "top",
        xanchor: "left",
        showarrow: false,
        text: m.label,
        font: { size: 10, color: COLOR },
        hovertext: `curriculum: augmentation strength ${m.label === "full" ? "at full strength" : `reaches ${m.label}`} from step ${m.step}`,
      }))
    : [];
  return { shapes, annotations };
}
