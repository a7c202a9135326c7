import { describe, expect, it } from "vitest";
import { describeMissing } from "./describe-missing";

describe("describeMissing", () => {
  it("names the run or experiment that was asked for", () => {
    expect(describeMissing("/runs/987654")).toEqual({ title: "Run 987654 not found", detail: "There is no run with id 987654: it may have been deleted, or the link may be mistyped." });
    expect(describeMissing("/experiments/12").title).toBe("Experiment 12 not found");
  });

  it("names the encoder, version or comparison that was asked for", () => {
    expect(describeMissing("/encoders/fm%20simclr").title).toBe("No encoder “fm simclr”");
    expect(describeMissing("/encoders/fm/v/9").title).toBe("fm v9 not found");
    expect(describeMissing("/encoders/fm/v/latest").detail).toBe("Versions are whole numbers, like /encoders/fm/v/1.");
    expect(describeMissing("/encoders/fm/compare").title).toBe("Cannot compare these versions of fm");
  });

  it("names the deployment or monitor that was asked for", () => {
    expect(describeMissing("/deployments/fm%20prod").title).toBe("No deployment “fm prod”");
    expect(describeMissing("/deployments/fm/monitors/9").title).toBe("Monitor 9 of fm not found");
    expect(describeMissing("/deployments/fm/monitors/abc")).toEqual({ title: "No monitor “abc”", detail: "Monitor ids are whole numbers, like /deployments/fm/monitors/1." });
  });

  it("explains an id that is no id, and any other path", () => {
    expect(describeMissing("/runs/abc")).toEqual({ title: "No run “abc”", detail: "Run ids are whole numbers, like /runs/12." });
    expect(describeMissing("/experiments/%E2%9C%93").title).toBe("No experiment “✓”");
    expect(describeMissing("/runs/%zz").title).toBe("No run “%zz”");
    expect(describeMissing("/nowhere/at/all")).toEqual({ title: "Page not found", detail: "Nothing lives at /nowhere/at/all." });
    expect(describeMissing(`/${"x".repeat(500)}`).detail.length).toBeLessThan(100);
  });
});
