import { describeValue } from "@/app/lib/format";

/** A value formatted to its precision; hovering shows the whole of it when digits or text were dropped. */
export function ValueText({ value }: { value: unknown }) {
  const { text, full } = describeValue(value);
  return full === undefined ? <>{text}</> : <span className="value-text" title={full}>{text}</span>;
}
