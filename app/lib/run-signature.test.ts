import { describe, expect, it } from "vitest";
import { isFollowed, runSignature } from "./run-signature";

const run = { status: "running", statusReason: null, backend: null, device: null, worker: null, tags: {} as Record<string, string> };

describe("runSignature", () => {
  it("changes when a tag changes, and stays short however many tags a run has", () => {
    const many = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`tag_${i}`, `value ${i}`]));
    const a = runSignature({ ...run, tags: many }, [], false);
    expect(a.length).toBeLessThan(100);
    expect(runSignature({ ...run, tags: { ...many } }, [], false)).toBe(a);
    expect(runSignature({ ...run, tags: { ...many, tag_7: "changed" } }, [], false)).not.toBe(a);
    expect(runSignature({ ...run, status: "finished" }, [], false)).not.toBe(runSignature(run, [], false));
  });

  it("changes when the worker stops, and a cancelled run is followed until it has", () => {
    expect(runSignature({ ...run, status: "cancelled" }, [], true)).not.toBe(runSignature({ ...run, status: "cancelled" }, [], false));
    expect(isFollowed("cancelled", true)).toBe(true);
    expect(isFollowed("cancelled", false)).toBe(false);
    expect(isFollowed("running", false)).toBe(true);
  });
});
