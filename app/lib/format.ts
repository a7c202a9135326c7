/**
 * How every value is shown: numbers to about four significant digits (the full value goes in a
 * title tooltip, see describeValue), long text clipped, extremes as short text that fits a cell.
 */

/** Significant digits shown: enough to tell runs apart, short enough for a table cell. */
const DIGITS = 4;
/** Longer text is clipped: one pasted blob must not stretch a table or a facts grid. */
export const MAX_TEXT_CHARS = 200;
/** A decimal literal, as a number logged as a string (sweep tags, string params) looks. */
const NUMERIC_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * A number to about four significant digits: 4.576, 0.001235, 12,346, 20,000, 1.8e+308.
 * Integers below 10^15 (counts, steps) keep every digit; tiny and huge magnitudes use an exponent
 * so that ±1.7e308 is eight characters, not 309 digits.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e15 || abs < 1e-3) return v.toExponential(DIGITS - 1).replace(/\.?0+e/, "e");
  if (Number.isInteger(v) || abs >= 10 ** DIGITS) return Math.round(v).toLocaleString("en-US");
  return String(Number(v.toPrecision(DIGITS)));
}

/** A value as shown (`text`) and, when that lost digits or characters, the whole of it (`full`, for a tooltip). */
export function describeValue(v: unknown): { text: string; full?: string } {
  if (v === null || v === undefined) return { text: "—" };
  if (typeof v === "number") return withFull(formatNumber(v), String(v), (text) => Number(text.replace(/,/g, "")) === v);
  if (typeof v === "string") {
    // "4.5760979652404785" logged as text reads as the number it is; "12" or "v1.10" stay as written
    if (NUMERIC_TEXT.test(v) && /[.e]/i.test(v)) {
      const text = formatNumber(Number(v));
      if (text.length < v.length) return { text, full: v };
    }
    return clip(v);
  }
  if (typeof v === "boolean" || typeof v === "bigint") return { text: String(v) };
  return clip(JSON.stringify(v) ?? String(v));
}

export function formatValue(v: unknown): string {
  return describeValue(v).text;
}

function withFull(text: string, full: string, exact: (text: string) => boolean) {
  return exact(text) ? { text } : { text, full };
}

function clip(s: string): { text: string; full?: string } {
  return s.length > MAX_TEXT_CHARS ? { text: `${s.slice(0, MAX_TEXT_CHARS - 1)}…`, full: s } : { text: s };
}

export function formatDate(d: Date | string | null | undefined): string {
  if (!d) return "—";
  return new Date(d).toISOString().slice(0, 19).replace("T", " ");
}

export function formatDuration(from: Date | null, to: Date | null): string {
  if (!from) return "—";
  const s = Math.round(((to ?? new Date()).getTime() - new Date(from).getTime()) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
