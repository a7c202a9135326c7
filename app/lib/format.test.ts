import { describe, expect, it } from "vitest";
import { formatBytes } from "./format";

describe("formatBytes", () => {
  it("uses binary units with one decimal below 10", () => {
    expect([0, 1023, 1024, 3000, 10 * 1024, 5 * 1024 ** 2 + 1, 3 * 1024 ** 4, 2048 * 1024 ** 4].map(formatBytes)).toEqual([
      "0 B", "1023 B", "1.0 KiB", "2.9 KiB", "10 KiB", "5.0 MiB", "3.0 TiB", "2048 TiB",
    ]);
  });
});
