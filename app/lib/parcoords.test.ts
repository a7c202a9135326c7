import { describe, expect, it } from "vitest";
import { defaultParamMetric, paramAxis, parcoordsTrace } from "./parcoords";

const run = (metrics: Record<string, number | null>) => ({ metrics: Object.fromEntries(Object.entries(metrics).map(([k, last]) => [k, { last }])) });

describe("parallel coordinates", () => {
  it("makes numeric axes of numbers and labelled categorical axes of the rest", () => {
    expect(paramAxis("lr", [0.1, 0.05])).toEqual({ label: "lr", values: [0.1, 0.05] });
    expect(paramAxis("method", ["simclr", "byol", null, "simclr"])).toEqual({
      label: "method",
      values: [2, 0, 1, 2],
      tickvals: [0, 1, 2],
      ticktext: ["byol", "null", "simclr"],
    });
  });

  it("puts positive non-integers spanning 10× or more on a log axis ticked with their values", () => {
    const lr = paramAxis("lr", [0.0003, 0.001, 0.003, 0.001]);
    expect(lr.label).toBe("lr (log)");
    expect(lr.values.map((v) => Number(v.toFixed(6)))).toEqual([-3.522879, -3, -2.522879, -3]);
    expect(lr.ticktext).toEqual(["0.0003", "0.001", "0.003"]);
    const many = paramAxis("wd", Array.from({ length: 12 }, (_, i) => 1e-5 * 1.5 ** i));
    expect(many.ticktext).toEqual(["0.00001", "0.0001", "0.001"]);
    expect(paramAxis("batch", [16, 256])).toEqual({ label: "batch", values: [16, 256] }); // integers stay linear
    expect(paramAxis("m", [0.9, 0.99])).toEqual({ label: "m", values: [0.9, 0.99] });
  });

  it("leaves out rows without a drawable value and brightens the best end", () => {
    const rows = [
      { params: { lr: 0.1 }, value: 2 },
      { params: { lr: 0.01 }, value: null },
      { params: { lr: 0.001 }, value: 1.7976931348623157e308 },
      { params: { lr: 0.3 }, value: 1 },
    ];
    const trace = parcoordsTrace(rows, ["lr"], "loss", "minimize")!;
    expect(trace.dimensions).toEqual([
      { label: "lr", values: [0.1, 0.3] },
      { label: "loss", values: [2, 1] },
    ]);
    expect(trace.line.reversescale).toBe(true);
    expect(parcoordsTrace(rows, ["lr"], "loss", "maximize")!.line.reversescale).toBe(false);
    expect(parcoordsTrace([rows[1]], ["lr"], "loss")).toBeNull();
  });

  it("opens on the sweep's objective when the runs logged it", () => {
    const runs = [run({ loss: 1, epoch: 2, knn_acc: 0.5 }), run({ loss: 2, epoch: 2, knn_acc: 0.5 })];
    expect(defaultParamMetric(runs, ["epoch", "knn_acc", "loss"], "knn_acc")).toBe("knn_acc");
    expect(defaultParamMetric(runs, ["epoch", "knn_acc", "loss"], "missing")).toBe("loss");
  });

  it("else opens on a metric that varies, preferring loss/accuracy over background metrics", () => {
    const runs = [
      run({ "curriculum/difficulty": 1, epoch: 1, grad_norm: 3, loss: 4, "system/cpu_percent": 50 }),
      run({ "curriculum/difficulty": 1, epoch: 1, grad_norm: 2, loss: 4.5, "system/cpu_percent": 70 }),
    ];
    const keys = ["curriculum/difficulty", "epoch", "grad_norm", "loss", "system/cpu_percent"];
    expect(defaultParamMetric(runs, keys)).toBe("loss");
    const constantLoss = runs.map((r) => ({ metrics: { ...r.metrics, loss: { last: 4 } } }));
    expect(defaultParamMetric(constantLoss, keys)).toBe("grad_norm");
    expect(defaultParamMetric([run({ a: 1 })], ["a"])).toBe("a");
    expect(defaultParamMetric([], [])).toBe("");
  });
});
