import { describe, expect, it } from "vitest";
import { compareHref, decodeSegment, differenceText, differenceVerdict, embedCurl, labelPercent, metricText, suggestedEncoderName, versionHref } from "./encoder-registry";

describe("encoder registry wording", () => {
  it("addresses names as one path segment, whatever they hold", () => {
    expect(versionHref("fm simclr/2", 3)).toBe("/encoders/fm%20simclr%2F2/v/3");
    expect(compareHref("fm", 4, 7)).toBe("/encoders/fm/compare?a=4&b=7");
    expect(decodeSegment("fm%20simclr%2F2")).toBe("fm simclr/2");
    expect(decodeSegment("50%")).toBe("50%");
  });

  it("shows accuracies and label fractions in percent, differences in points", () => {
    expect(labelPercent(0.01)).toBe("1%");
    expect(labelPercent(0.001)).toBe("0.1%");
    expect(metricText("test_accuracy", 0.80934)).toBe("80.93 %");
    expect(metricText("loss", 0.80934)).toBe("0.8093");
    expect(differenceText("test_accuracy", -0.0123)).toBe("−1.23 pp");
    expect(differenceText("test_accuracy", 0.02)).toBe("+2 pp");
  });

  it("calls a difference only when it exceeds two standard errors over at least two seeds a side", () => {
    expect(differenceVerdict("test_accuracy", 0.03, 0.01, 3, 3)).toBe("better");
    expect(differenceVerdict("test_accuracy", -0.03, 0.01, 3, 3)).toBe("worse");
    expect(differenceVerdict("test_accuracy", 0.02, 0.01, 3, 3)).toBe("unclear");
    expect(differenceVerdict("test_accuracy", 0.05, 0, 1, 3)).toBe("unclear");
    expect(differenceVerdict("val_loss", -0.5, 0.1, 2, 2)).toBe("better");
  });

  it("writes the curl that calls a deployment, and names a run's encoder after its data and method", () => {
    expect(embedCurl("fm prod", 784)).toBe(
      `curl -s -X POST localhost:3000/api/v1/deployments/fm%20prod/embed -H 'content-type: application/json' -d '{"inputs": [[...784 numbers...]]}'`,
    );
    expect(suggestedEncoderName({ name: "run-7", config: { dataset: { kind: "fashion-mnist" }, method: { name: "simclr" } } })).toBe("fashion-mnist-simclr");
    expect(suggestedEncoderName({ name: "run-7", config: {} })).toBe("run-7");
  });
});
