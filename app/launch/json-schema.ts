/**
 * The launch form's view of a config schema: the JSON Schema that z.toJSONSchema makes of a job's
 * zod schema (server/jobs/configs), read as form fields. Pure functions, so they are unit-tested.
 */

/** The parts of a JSON Schema (draft 2020-12, as zod writes it) that the form reads. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
}

/** How a field is edited. */
export type FieldKind =
  | { kind: "object" }
  | { kind: "union"; discriminator: string; options: { value: string; schema: JsonSchema }[] }
  | { kind: "choice"; options: (string | number)[] }
  | { kind: "boolean" }
  | { kind: "number"; integer: boolean }
  | { kind: "string" }
  | { kind: "numbers"; integer: boolean; length?: number }
  | { kind: "choices"; options: string[] }
  | { kind: "json" };

const isNumeric = (s: JsonSchema | undefined) => s?.type === "number" || s?.type === "integer";
const constOf = (s: JsonSchema | undefined): unknown[] | undefined => (s?.const !== undefined ? [s.const] : s?.enum);

/** The options of a union of objects told apart by one property (zod's discriminated unions), if it is one. */
function discriminated(variants: JsonSchema[]): FieldKind | null {
  if (!variants.every((v) => v.type === "object" && v.properties)) return null;
  const candidates = Object.keys(variants[0].properties!).filter((k) => variants.every((v) => constOf(v.properties?.[k])?.every((c) => typeof c === "string")));
  const discriminator = candidates[0];
  if (discriminator === undefined) return null;
  const options = variants.flatMap((schema) => (constOf(schema.properties![discriminator]) as string[]).map((value) => ({ value, schema })));
  return new Set(options.map((o) => o.value)).size === options.length ? { kind: "union", discriminator, options } : null;
}

export function fieldKind(s: JsonSchema): FieldKind {
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const union = discriminated(variants);
    if (union) return union;
    const consts = variants.map((v) => v.const);
    if (consts.every((c) => typeof c === "string" || typeof c === "number")) return { kind: "choice", options: consts as (string | number)[] };
    return { kind: "json" };
  }
  if (s.enum && s.enum.every((c) => typeof c === "string" || typeof c === "number")) return { kind: "choice", options: s.enum as (string | number)[] };
  switch (s.type) {
    case "object":
      return s.properties ? { kind: "object" } : { kind: "json" };
    case "boolean":
      return { kind: "boolean" };
    case "number":
    case "integer":
      return { kind: "number", integer: s.type === "integer" };
    case "string":
      return { kind: "string" };
    case "array":
      if (s.prefixItems && s.prefixItems.every(isNumeric)) return { kind: "numbers", integer: s.prefixItems.every((p) => p.type === "integer"), length: s.prefixItems.length };
      if (isNumeric(s.items)) return { kind: "numbers", integer: s.items!.type === "integer" };
      if (s.items?.enum?.every((c) => typeof c === "string")) return { kind: "choices", options: s.items.enum as string[] };
      return { kind: "json" };
    default:
      return { kind: "json" };
  }
}

/** Whether a field is a group of fields (a section, or a fieldset inside one) rather than one input. */
export const isGroup = (s: JsonSchema) => ["object", "union"].includes(fieldKind(s).kind);

/** The variant of a union that a value selects (by its discriminator), if any. */
export function variantOf(kind: Extract<FieldKind, { kind: "union" }>, value: unknown): JsonSchema | undefined {
  const tag = isRecord(value) ? value[kind.discriminator] : undefined;
  return kind.options.find((o) => o.value === tag)?.schema;
}

/**
 * A union's value after choosing another variant: the new tag, and the fields of the old value that
 * the new variant has too (an optimizer keeps its lr when Adam becomes SGD).
 */
export function switchVariant(kind: Extract<FieldKind, { kind: "union" }>, value: unknown, tag: string): Record<string, unknown> {
  const schema = kind.options.find((o) => o.value === tag)?.schema;
  const kept = isRecord(value) ? Object.entries(value).filter(([k]) => k !== kind.discriminator && schema?.properties && k in schema.properties) : [];
  return { [kind.discriminator]: tag, ...Object.fromEntries(kept) };
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object with `key` set to `value`, or removed when `value` is undefined; never mutates. */
export function withKey(obj: unknown, key: string, value: unknown): Record<string, unknown> {
  const out = { ...(isRecord(obj) ? obj : {}) };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** The default a field shows: its parent's default for it while the parent is unset, else its own. */
export function defaultOf(s: JsonSchema, parentValue: unknown, parentDefault: unknown, key: string): unknown {
  if (parentValue === undefined && isRecord(parentDefault) && key in parentDefault) return parentDefault[key];
  return s.default;
}

const MAX_SAFE = 9007199254740991;

/** "integer ≥ 2", "number > 0, ≤ 1", "at most 200 characters": what the schema allows, in words. */
export function constraintText(s: JsonSchema): string {
  const k = fieldKind(s);
  const bounds = (n: JsonSchema) =>
    [
      n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : n.minimum !== undefined && n.minimum > -MAX_SAFE ? `≥ ${n.minimum}` : "",
      n.exclusiveMaximum !== undefined ? `< ${n.exclusiveMaximum}` : n.maximum !== undefined && n.maximum < MAX_SAFE ? `≤ ${n.maximum}` : "",
    ]
      .filter(Boolean)
      .join(", ");
  if (k.kind === "number") return [k.integer ? "integer" : "number", bounds(s)].filter(Boolean).join(" ");
  if (k.kind === "numbers") {
    const item = s.prefixItems?.[0] ?? s.items ?? {};
    const what = `${k.length ? `${k.length} ` : "list of "}${k.integer ? "integers" : "numbers"}`;
    return [what, bounds(item)].filter(Boolean).join(" ");
  }
  if (k.kind === "string" && s.maxLength !== undefined) return `at most ${s.maxLength} characters`;
  return "";
}

/** A value as the form writes it in a text field or hint. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "";
  if (Array.isArray(v) && v.every((x) => typeof x === "number" || typeof x === "string")) return v.join(", ");
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** A number field's text: a number when it reads as one, else the text itself (the schema then says "expected number"); "" is unset. */
export function parseNumber(text: string): number | string | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
}

/** A list field's text, "512, 256": each item a number when it reads as one; "" is unset. */
export function parseNumbers(text: string): (number | string)[] | undefined {
  if (text.trim() === "") return undefined;
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // "512, " while typing the next one
  return parts.map((p) => parseNumber(p) ?? p);
}

/** A field problem: the dotted path of the field ("optimizer.lr", "" for the whole config) and why. */
export interface Issue {
  path: string;
  message: string;
}

export const issuePath = (path: readonly PropertyKey[]) => path.map(String).join(".");

/** "optimizer.lr: Too small: …" — how the server says it too. */
export const describeIssue = (i: Issue, prefix = "") => `${[prefix, i.path].filter(Boolean).join(".") || "(config)"}: ${i.message}`;

/** The issues at `path` or under it. */
export const issuesUnder = (issues: Issue[], path: string) => issues.filter((i) => path === "" || i.path === path || i.path.startsWith(`${path}.`));

/** A field's key as a heading: "dataset" → "Dataset", "linearProbe" → "Linear probe". */
export function titleOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
