import { describe, expect, it } from "vitest";
import { monitorPath } from "@/server/alerts/email";
import { FIGURES } from "@/server/drift/figures";
import { describeReference, describeSchedule, describeThreshold, describeWindow, figureChart, monitorHref, type ChartWindow } from "./monitoring";

const windows: ChartWindow[] = [
  { windowIndex: 0, windowStart: "2026-01-01T00:00:00.000Z", windowEnd: "2026-01-01T00:10:00.000Z", status: "ok", figures: { "mmd.p_value": 0.4 } },
  { windowIndex: 1, windowStart: "2026-01-01T00:10:00.000Z", windowEnd: "2026-01-01T00:20:00.000Z", status: "too_few_samples", figures: {} },
  { windowIndex: 2, windowStart: "2026-01-01T00:20:00.000Z", windowEnd: "2026-01-01T00:30:00.000Z", status: "drift", figures: { "mmd.p_value": 0 } },
];

describe("monitor pages", () => {
  it("live where alert emails point", () => {
    expect(monitorHref("fm prod", 7)).toBe(monitorPath("fm prod", 7));
    expect(monitorHref("fm prod", 7)).toBe("/deployments/fm%20prod/monitors/7");
  });

  it("word a monitor's config", () => {
    expect(describeReference({ kind: "dataset", data: "fashion-mnist", split: "train", size: 300 })).toBe("300 samples of fashion-mnist (train)");
    expect(describeReference({ kind: "traffic", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" })).toBe("traffic 2026-01-01 00:00:00 → 2026-01-02 00:00:00 UTC");
    expect(describeWindow({ kind: "count", size: 1000 })).toBe("every 1,000 samples");
    expect(describeWindow({ kind: "time", minutes: 120 })).toBe("every 2 h");
    expect(describeWindow({ kind: "time", minutes: 15 })).toBe("every 15 min");
    expect(describeSchedule(null)).toBe("on demand only");
    expect(describeThreshold("below", 0.05)).toBe("< 0.05");
  });

  it("draw a figure with gaps for untested windows, red drift markers and its threshold, levels and rules", () => {
    const figure = { name: "mmd.p_value", ...FIGURES["mmd.p_value"], levels: [0.2] };
    const rules = [
      { name: "page me", figure: "mmd.p_value", direction: "below" as const, threshold: 0.01, enabled: true },
      { name: "off", figure: "mmd.p_value", direction: "below" as const, threshold: 0.02, enabled: false },
      { name: "other", figure: "ks.p_value", direction: "below" as const, threshold: 0.03, enabled: true },
    ];
    const { data, layout } = figureChart(figure, windows, rules, "window");
    const [line, drift] = data as { x: unknown[]; y: unknown[] }[];
    expect(line.x).toEqual([0, 1, 2]);
    expect(line.y).toEqual([0.4, null, 0]);
    expect([drift.x, drift.y]).toEqual([[2], [0]]);
    const shapes = layout.shapes as { type: string; y0: number; x0: unknown; line: { dash?: string } }[];
    expect(shapes.filter((s) => s.type === "line").map((s) => [s.y0, s.line.dash])).toEqual([
      [0.05, "dash"],
      [0.2, "dot"],
      [0.01, "dashdot"],
    ]);
    expect(shapes.filter((s) => s.type === "rect").map((s) => s.x0)).toEqual([0.55]);
    expect((layout.annotations as { text: string; xanchor: string }[]).map((a) => [a.text, a.xanchor])).toEqual([
      ["threshold < 0.05", "right"],
      ["0.2", "right"],
      ["rule page me < 0.01", "left"],
    ]);

    const byTime = figureChart(figure, windows, [], "time");
    expect((byTime.data[0] as { x: unknown[] }).x).toEqual(windows.map((w) => w.windowEnd));
    expect((byTime.layout.xaxis as { type: string }).type).toBe("date");
  });
});
