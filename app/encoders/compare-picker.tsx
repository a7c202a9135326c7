import { encoderHref } from "@/app/lib/encoder-registry";

/** Two versions to compare: a plain GET form to /encoders/<name>/compare?a=ID&b=ID. */
export function ComparePicker({ name, versions, a, b }: { name: string; versions: { id: number; version: number; stage: string }[]; a?: number; b?: number }) {
  const option = (v: (typeof versions)[number]) => (
    <option key={v.id} value={v.id}>
      v{v.version}
      {v.stage === "none" ? "" : ` (${v.stage})`}
    </option>
  );
  return (
    <form className="registry-form" action={`${encoderHref(name)}/compare`} method="get" data-testid="compare-picker">
      <label>
        A (before)
        <select name="a" defaultValue={a} aria-label="version a">
          {versions.map(option)}
        </select>
      </label>
      <label>
        B (after)
        <select name="b" defaultValue={b} aria-label="version b">
          {versions.map(option)}
        </select>
      </label>
      <button type="submit" className="button">
        Compare
      </button>
    </form>
  );
}
