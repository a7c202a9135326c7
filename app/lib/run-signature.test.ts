import { describe, expect, it } from "vitest";
import { runSignature } from "./run-signature";

const run = { status: "running", statusReason: null, backend: null, worker: null, tags: {} as Record<string, string> };

describe("runSignature", () => {
  it("changes when a tag changes, and stays short however many tags a run has", () => {
    const many = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`tag_${i}`, `value ${i}`]));
    const a = runSignature({ ...run, tags: many }, []);
    expect(a.length).toBeLessThan(100);
    expect(runSignature({ ...run, tags: { ...many } }, [])).toBe(a);
    expect(runSignature({ ...run, tags: { ...many, tag_7: "changed" } }, [])).not.toBe(a);
    expect(runSignature({ ...run, status: "finished" }, [])).not.toBe(runSignature(run, []));
  });
});
