import { describe, expect, it } from "vitest";
import { describeValue, formatBytes, formatNumber, formatValue, MAX_TEXT_CHARS } from "./format";

describe("formatBytes", () => {
  it("uses binary units with one decimal below 10", () => {
    expect([0, 1023, 1024, 3000, 10 * 1024, 5 * 1024 ** 2 + 1, 3 * 1024 ** 4, 2048 * 1024 ** 4].map(formatBytes)).toEqual([
      "0 B", "1023 B", "1.0 KiB", "2.9 KiB", "10 KiB", "5.0 MiB", "3.0 TiB", "2048 TiB",
    ]);
  });
});

describe("formatNumber", () => {
  it("shows about four significant digits", () => {
    expect([4.5760979652404785, -4.5760979652404785, 0.1 + 0.2, 0.5, 0.0012345678, 123.456789, 12345.678, 999999.9].map(formatNumber)).toEqual([
      "4.576", "-4.576", "0.3", "0.5", "0.001235", "123.5", "12,346", "1,000,000",
    ]);
  });

  it("keeps every digit of integers (counts, steps) below 10^15", () => {
    expect([0, -0, 7, 20000, 123456789, 999_999_999_999_999].map(formatNumber)).toEqual(["0", "0", "7", "20,000", "123,456,789", "999,999,999,999,999"]);
  });

  it("writes tiny and huge magnitudes and non-finite values as short text", () => {
    expect([1.7e308, -1.7e308, Number.MAX_VALUE, 5e-324, 1e-7, 0.000123456, 1e15, 2 ** 53].map(formatNumber)).toEqual([
      "1.7e+308", "-1.7e+308", "1.798e+308", "4.941e-324", "1e-7", "1.235e-4", "1e+15", "9.007e+15",
    ]);
    expect([NaN, Infinity, -Infinity].map(formatNumber)).toEqual(["NaN", "Infinity", "-Infinity"]);
    for (const v of [1.7e308, -Number.MAX_VALUE, -5e-324]) expect(formatNumber(v).length).toBeLessThanOrEqual(11);
  });
});

describe("describeValue", () => {
  it("keeps the full number for a tooltip only when digits were dropped", () => {
    expect(describeValue(4.5760979652404785)).toEqual({ text: "4.576", full: "4.5760979652404785" });
    expect(describeValue(0.5)).toEqual({ text: "0.5" });
    expect(describeValue(20000)).toEqual({ text: "20,000" });
    expect(describeValue(1.7e308)).toEqual({ text: "1.7e+308" });
    expect(describeValue(-1.7976931348623157e308)).toEqual({ text: "-1.798e+308", full: "-1.7976931348623157e+308" });
  });

  it("reads decimal text (a sweep's best_loss tag) as the number it is, and leaves other text alone", () => {
    expect(describeValue("4.5760979652404785")).toEqual({ text: "4.576", full: "4.5760979652404785" });
    expect(describeValue("1.7e308")).toEqual({ text: "1.7e308" }); // already short: left as written
    expect(["12", "007", "0.001", "v1.10", "simclr", "1.5", "NaN"].map(formatValue)).toEqual(["12", "007", "0.001", "v1.10", "simclr", "1.5", "NaN"]);
  });

  it("clips long text and shows missing values, booleans and objects", () => {
    const long = "x".repeat(5000);
    const d = describeValue(long);
    expect([d.text.length, d.text.endsWith("…"), d.full]).toEqual([MAX_TEXT_CHARS, true, long]);
    expect([null, undefined, true, false, { a: [1, 2] }].map(formatValue)).toEqual(["—", "—", "true", "false", '{"a":[1,2]}']);
  });
});
