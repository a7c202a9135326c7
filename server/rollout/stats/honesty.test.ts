/**
 * Statistical honesty, by seeded simulation: the tests flag as often as they claim to. 400 runs give a
 * rate a standard error of about 1.1 points at 5 %, so the bounds below leave room for chance.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "@/server/random";
import { checkSrm, cupedAdjust, sequentialTest, summarize, welchTest, type CupedStatistic, type MeanStatistic, type ProportionStatistic } from "./index";

const RUNS = 400;
const ALPHA = 0.05;

/** Standard normal draws by Box–Muller (both of each pair used). */
function normalSampler(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random())); // 1 − u ∈ (0, 1]
    const angle = 2 * Math.PI * random();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

function addValue(stat: MeanStatistic, value: number): void {
  stat.n++;
  stat.sum += value;
  stat.sumSquares += value * value;
}

const emptyMean = (): MeanStatistic => ({ kind: "mean", n: 0, sum: 0, sumSquares: 0 });
const percent = (count: number, runs = RUNS) => `${((100 * count) / runs).toFixed(2)} %`;

/** 400 A/A experiments, 2 × 1,000 users of a normal metric (mean 10, sd 3) arriving in 10 windows of 100. */
function simulateAA(): { fixed: number; peeking: number; sequential: number } {
  const WINDOWS = 10;
  const PER_WINDOW = 100;
  const normal = normalSampler(seededRandom(20261201));
  const flags = { fixed: 0, peeking: 0, sequential: 0 };
  for (let run = 0; run < RUNS; run++) {
    const a = emptyMean();
    const b = emptyMean();
    let peeked = false;
    let sequentialFlagged = false;
    for (let window = 0; window < WINDOWS; window++) {
      for (let i = 0; i < PER_WINDOW; i++) {
        addValue(a, 10 + 3 * normal());
        addValue(b, 10 + 3 * normal());
      }
      const [sa, sb] = [summarize(a), summarize(b)];
      const fixed = welchTest(sa, sb, { relative: true, alpha: ALPHA });
      if (fixed.pValue < ALPHA) peeked = true;
      if (window === WINDOWS - 1 && fixed.pValue < ALPHA) flags.fixed++;
      if (sequentialTest(sa, sb, { relative: true, alpha: ALPHA, tuning: 5000 }).pValue < ALPHA) sequentialFlagged = true;
    }
    if (peeked) flags.peeking++;
    if (sequentialFlagged) flags.sequential++;
  }
  console.log(
    `A/A (${RUNS} runs, 2 × 1,000 users, α = 0.05): fixed horizon flags ${percent(flags.fixed)}; ` +
      `peeking after each of ${WINDOWS} windows flags ${percent(flags.peeking)}; sequential (N = 5000) at any look ${percent(flags.sequential)}`,
  );
  return flags;
}

describe("A/A experiments: fixed horizon, peeking, sequential", () => {
  let flags: { fixed: number; peeking: number; sequential: number };
  beforeAll(() => {
    flags = simulateAA();
  });

  it("the fixed-horizon Welch test flags 3–7 % of A/A experiments", () => {
    expect(flags.fixed / RUNS).toBeGreaterThanOrEqual(0.03);
    expect(flags.fixed / RUNS).toBeLessThanOrEqual(0.07);
  });

  it("peeking with the fixed-horizon test flags clearly more than 5 %", () => {
    expect(flags.peeking / RUNS).toBeGreaterThan(0.08);
  });

  it("the sequential test flagging at any of the looks stays within 5 %", () => {
    expect(flags.sequential / RUNS).toBeLessThanOrEqual(0.05);
  });
});

describe("a planted +3 % relative lift", () => {
  it("lies inside the 95 % CI in at least 92 % of runs", () => {
    // conversions: control 10 %, treatment 10.3 %, 2 × 5,000 users
    const random = seededRandom(7);
    const [P, LIFT, N] = [0.1, 0.03, 5000];
    let covered = 0;
    let significant = 0;
    for (let run = 0; run < RUNS; run++) {
      const a: ProportionStatistic = { kind: "proportion", n: N, sum: 0 };
      const b: ProportionStatistic = { kind: "proportion", n: N, sum: 0 };
      for (let i = 0; i < N; i++) {
        if (random() < P) a.sum++;
        if (random() < P * (1 + LIFT)) b.sum++;
      }
      const r = welchTest(summarize(a), summarize(b), { relative: true, alpha: ALPHA });
      if (r.ci[0] <= LIFT && LIFT <= r.ci[1]) covered++;
      if (r.pValue < ALPHA) significant++;
    }
    console.log(`+3 % lift (${RUNS} runs, 2 × 5,000 users at 10 %): true lift inside the 95 % CI in ${percent(covered)}; significant in ${percent(significant)}`);
    expect(covered / RUNS).toBeGreaterThanOrEqual(0.92);
  });
});

describe("SRM on seeded assignments", () => {
  function assign(users: number, shareB: number, seed: number): [number, number] {
    const random = seededRandom(seed);
    let b = 0;
    for (let i = 0; i < users; i++) if (random() < shareB) b++;
    return [users - b, b];
  }

  it("flags a 48/52 split of 20,000 users, not a 50/50 one", () => {
    const skewed = assign(20_000, 0.52, 11);
    const fair = assign(20_000, 0.5, 12);
    const pSkewed = checkSrm(skewed, [0.5, 0.5]);
    const pFair = checkSrm(fair, [0.5, 0.5]);
    console.log(`SRM: 48/52 split ${skewed.join("/")} p = ${pSkewed.toExponential(3)}; 50/50 split ${fair.join("/")} p = ${pFair.toFixed(4)}`);
    expect(pSkewed).toBeLessThan(0.001);
    expect(pFair).toBeGreaterThanOrEqual(0.001);
  });
});

describe("CUPED on a seeded simulation (y = x + noise, ρ² = ½)", () => {
  it("shrinks the CI by about sqrt(1 − ρ²) and keeps the estimate unbiased", () => {
    // x ~ N(10, 1) pre-period, y = x + N(0, 1) (+0.5 in treatment): corr(x, y)² = ½, sqrt(1 − ρ²) = 0.7071
    const random = seededRandom(99);
    const normal = normalSampler(random);
    const [CUPED_RUNS, N, LIFT] = [200, 500, 0.5];
    const stat = (): CupedStatistic => ({ kind: "cuped", n: 0, sumY: 0, sumYSquares: 0, sumX: 0, sumXSquares: 0, sumXY: 0 });
    let ratioSum = 0;
    let estimateSum = 0;
    let covered = 0;
    for (let run = 0; run < CUPED_RUNS; run++) {
      const [a, b] = [stat(), stat()];
      for (const [s, lift] of [[a, 0], [b, LIFT]] as const) {
        for (let i = 0; i < N; i++) {
          const x = 10 + normal();
          const y = x + normal() + lift;
          s.n++;
          s.sumY += y;
          s.sumYSquares += y * y;
          s.sumX += x;
          s.sumXSquares += x * x;
          s.sumXY += x * y;
        }
      }
      const plain = welchTest(
        { n: a.n, mean: a.sumY / a.n, variance: (a.sumYSquares - (a.sumY * a.sumY) / a.n) / (a.n - 1) },
        { n: b.n, mean: b.sumY / b.n, variance: (b.sumYSquares - (b.sumY * b.sumY) / b.n) / (b.n - 1) },
        { relative: false },
      );
      const adjusted = cupedAdjust(a, b);
      const cuped = welchTest(adjusted.control, adjusted.treatment, { relative: false });
      ratioSum += (cuped.ci[1] - cuped.ci[0]) / (plain.ci[1] - plain.ci[0]);
      estimateSum += cuped.estimate;
      if (cuped.ci[0] <= LIFT && LIFT <= cuped.ci[1]) covered++;
    }
    const ratio = ratioSum / CUPED_RUNS;
    const meanEstimate = estimateSum / CUPED_RUNS;
    console.log(
      `CUPED (${CUPED_RUNS} runs, 2 × ${N}): CI width ratio ${ratio.toFixed(4)} (sqrt(1 − ρ²) = ${Math.SQRT1_2.toFixed(4)}); ` +
        `mean estimate ${meanEstimate.toFixed(4)} (true ${LIFT}); CI coverage ${percent(covered, CUPED_RUNS)}`,
    );
    expect(Math.abs(ratio - Math.SQRT1_2)).toBeLessThan(0.03);
    // one run's SE ≈ sqrt(2/500) = 0.063, so the mean of 200 has SE ≈ 0.0045
    expect(Math.abs(meanEstimate - LIFT)).toBeLessThan(0.02);
    expect(covered / CUPED_RUNS).toBeGreaterThanOrEqual(0.9);
  });
});
