/**
 * Which stored values a chart can draw. NaN and ±Infinity have no place on an axis, and a finite
 * value near ±1.8e308 makes plotly's range (max − min, plus padding) overflow to Infinity, which
 * leaves NaN in the SVG paths and blanks the whole chart. Such values are left out of the drawn
 * trace (a gap) and counted, so the chart can say what it left out; stored data is untouched.
 */

/** Beyond this magnitude a value is "off-scale": far below where plotly's range arithmetic overflows. */
export const DRAWABLE_LIMIT = 1e300;

export const isDrawable = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= DRAWABLE_LIMIT;

export interface Hidden {
  nan: number;
  posInf: number;
  negInf: number;
  /** finite but beyond ±DRAWABLE_LIMIT */
  offScale: number;
}

export const noneHidden = (): Hidden => ({ nan: 0, posInf: 0, negInf: 0, offScale: 0 });

/** The values as a plotly trace's y (null where a value cannot be drawn) and what was left out. */
export function drawableValues(values: readonly number[], hidden: Hidden = noneHidden()): { y: (number | null)[]; hidden: Hidden } {
  const y = values.map((v) => {
    if (isDrawable(v)) return v;
    if (Number.isNaN(v)) hidden.nan++;
    else if (v === Infinity) hidden.posInf++;
    else if (v === -Infinity) hidden.negInf++;
    else hidden.offScale++;
    return null;
  });
  return { y, hidden };
}

/** "2 values not drawn: 1 NaN, 1 off-scale (|v| > 1e300)", or null when every value was drawn. */
export function describeHidden(h: Hidden): string | null {
  const parts = [
    h.nan && `${h.nan} NaN`,
    h.posInf && `${h.posInf} +∞`,
    h.negInf && `${h.negInf} −∞`,
    h.offScale && `${h.offScale} off-scale (|v| > ${String(DRAWABLE_LIMIT).replace("+", "")})`,
  ].filter(Boolean);
  const total = h.nan + h.posInf + h.negInf + h.offScale;
  if (total === 0) return null;
  return `${total} value${total === 1 ? "" : "s"} not drawn: ${parts.join(", ")}`;
}
