import { describe, expect, it } from "vitest";
import { relativeUnit, valueAxis, xAxisTitle, xValues } from "./chart-axes";

describe("chart axes", () => {
  it("names what the workers log, with units", () => {
    expect(valueAxis("system/cpu_percent").title).toBe("CPU busy (%)");
    expect(valueAxis("system/process_rss_mb").title).toBe("worker RSS (MiB)");
    expect(valueAxis("system/gpu0_utilization_percent").title).toBe("GPU 0 utilization (%)");
    expect(valueAxis("system/gpu1_memory_mb").title).toBe("GPU 1 memory (MiB)");
    expect(valueAxis("images_per_sec").title).toBe("images / s");
    expect(valueAxis("loss/nt_xent").title).toBe("loss: nt_xent");
    expect(valueAxis("health/effective_rank").title).toBe("effective rank (dims)");
  });

  it("shows accuracies (fractions) as percent", () => {
    expect(valueAxis("eval/linear_probe/1pct")).toEqual({ title: "test accuracy (%)", tickformat: ".1~%", hoverformat: ".2%" });
    expect(valueAxis("test_accuracy").tickformat).toBe(".1~%");
  });

  it("gives other keys a unit from their suffix, or their name", () => {
    expect(valueAxis("data_load_ms").title).toBe("data load (ms)");
    expect(valueAxis("val/step_time_s").title).toBe("step time (s)");
    expect(valueAxis("tokens_per_sec").title).toBe("tokens / s");
    expect(valueAxis("custom/knn_acc")).toEqual({ title: "knn acc", hoverformat: ".4~g" });
  });

  it("titles the x axis: step, seed for per-seed results, time with its unit", () => {
    expect(xAxisTitle("loss", "step")).toBe("step");
    expect(xAxisTitle("eval/knn_k20/10pct", "step")).toBe("seed");
    expect(xAxisTitle("system/cpu_percent", "wall")).toBe("wall time (UTC)");
    expect(xAxisTitle("loss", "relative", "min")).toBe("time since the run's first point (min)");
  });

  it("picks a readable unit for time since start", () => {
    expect(relativeUnit(90_000).label).toBe("s");
    expect(relativeUnit(30 * 60_000).label).toBe("min");
    expect(relativeUnit(5 * 3_600_000)).toEqual({ ms: 3_600_000, label: "h" });
  });

  it("maps x to steps, time since the run started, or dates", () => {
    expect(xValues("step", [0, 10], [5000, 3_605_000], 5000)).toEqual([0, 10]);
    expect(xValues("relative", [0, 10], [5000, 3_605_000], 5000)).toEqual([0, 1]);
    expect(xValues("relative", [0, 10], [5000, 65_000], 5000, 1000)).toEqual([0, 60]);
    expect(xValues("wall", [0], [Date.UTC(2026, 0, 2)], 0)).toEqual(["2026-01-02T00:00:00.000Z"]);
  });
});
