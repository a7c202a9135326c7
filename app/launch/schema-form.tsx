"use client";

/**
 * A form generated from a config's JSON Schema: the top-level scalars in one section, each
 * top-level object (dataset, encoder, method, optimizer, ...) in its own; defaults as placeholders,
 * the schema's descriptions as help, and each field's problems under it as the value changes.
 */
import { useEffect, useId, useState, type ReactNode } from "react";
import {
  constraintText,
  defaultOf,
  fieldKind,
  formatValue,
  isGroup,
  isRecord,
  issuesUnder,
  parseNumber,
  parseNumbers,
  switchVariant,
  titleOf,
  variantOf,
  withKey,
  type FieldKind,
  type Issue,
  type JsonSchema,
} from "./json-schema";
import styles from "./launch.module.css";

interface Common {
  /** dotted path of the field in the config, as issues name it */
  path: string;
  /** prefix of the inputs' names (e.g. "base." for a sweep's base config), so two forms on a page stay apart */
  prefix: string;
  issues: Issue[];
}

interface FieldProps extends Common {
  name: string;
  schema: JsonSchema;
  value: unknown;
  /** the default shown while the field is unset */
  def: unknown;
  required: boolean;
  onChange(value: unknown): void;
}

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  issues: Issue[];
  /** title of the section that holds the top-level scalars */
  generalTitle: string;
  /** top-level keys edited elsewhere on the page */
  hidden?: string[];
  prefix?: string;
}

export function SchemaForm({ schema, value, onChange, issues, generalTitle, hidden = [], prefix = "" }: SchemaFormProps) {
  const entries = Object.entries(schema.properties ?? {}).filter(([k]) => !hidden.includes(k));
  const required = new Set(schema.required ?? []);
  const field = ([key, s]: [string, JsonSchema]) => ({
    key,
    name: key,
    path: key,
    prefix,
    schema: s,
    value: value[key],
    def: s.default,
    required: required.has(key),
    issues,
    onChange: (v: unknown) => onChange(withKey(value, key, v)),
  });
  const scalars = entries.filter(([, s]) => !isGroup(s)).sort(([a], [b]) => Number(b === "name") - Number(a === "name")); // the run's name first
  const groups = entries.filter(([, s]) => isGroup(s));
  const rootIssues = issues.filter((i) => i.path === "");
  return (
    <div className={styles.schemaForm}>
      {rootIssues.length > 0 && <Problems issues={rootIssues} />}
      {scalars.length > 0 && (
        <Section title={generalTitle} path="" issues={issuesUnder(issues, "").filter((i) => scalars.some(([k]) => i.path === k || i.path.startsWith(`${k}.`)))} initiallyOpen>
          {scalars.map((e) => {
            const { key, ...props } = field(e);
            return <Field key={key} {...props} />;
          })}
        </Section>
      )}
      {groups.map((e) => {
        const { key, ...props } = field(e);
        return <GroupSection key={key} {...props} />;
      })}
    </div>
  );
}

/** A top-level object as a collapsible section; an optional one (no default) can be left out. */
function GroupSection(props: FieldProps) {
  const { name, schema, value, required, onChange, path, issues } = props;
  const optional = !required && schema.default === undefined;
  const kind = fieldKind(schema);
  const include = (on: boolean) => onChange(on ? (kind.kind === "union" ? switchVariant(kind, undefined, kind.options[0].value) : {}) : undefined);
  return (
    <Section
      title={titleOf(name)}
      description={schema.description}
      path={path}
      issues={issuesUnder(issues, path)}
      initiallyOpen={required || value !== undefined}
      toggle={optional ? { on: value !== undefined, set: include, label: `Use ${name}` } : undefined}
    >
      {(!optional || value !== undefined) && <GroupBody {...props} />}
    </Section>
  );
}

function Section({ title, description, path, issues, initiallyOpen, toggle, children }: { title: string; description?: string; path: string; issues: Issue[]; initiallyOpen: boolean; toggle?: { on: boolean; set(on: boolean): void; label: string }; children: ReactNode }) {
  const [open, setOpen] = useState(initiallyOpen);
  const bad = issues.length > 0;
  useEffect(() => {
    if (bad) setOpen(true);
  }, [bad]);
  return (
    <details className={`${styles.section} ${bad ? styles.sectionBad : ""}`} open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-section={path || "general"}>
      <summary>
        <span className={styles.sectionTitle}>{title}</span>
        {bad && <span className={styles.badge}>{issues.length === 1 ? "1 problem" : `${issues.length} problems`}</span>}
        {description && <span className={styles.sectionDesc}>{description}</span>}
      </summary>
      <div className={styles.grid}>
        {toggle && (
          <label className={styles.include}>
            <input type="checkbox" checked={toggle.on} onChange={(e) => toggle.set(e.target.checked)} /> {toggle.label}
          </label>
        )}
        {children}
      </div>
    </details>
  );
}

/** The fields of an object, or of the chosen variant of a union (after its selector). */
function GroupBody({ schema, value, def, path, prefix, issues, onChange }: FieldProps) {
  const kind = fieldKind(schema);
  let properties = schema;
  let selector: ReactNode = null;
  if (kind.kind === "union") {
    const variant = variantOf(kind, value);
    properties = variant ?? {};
    const tagPath = `${path}.${kind.discriminator}`;
    selector = (
      <Field
        name={kind.discriminator}
        path={tagPath}
        prefix={prefix}
        schema={{ enum: kind.options.map((o) => o.value), description: variant?.description }}
        value={isRecord(value) ? value[kind.discriminator] : undefined}
        def={undefined}
        required
        issues={issues.filter((i) => i.path === path || i.path === tagPath)}
        onChange={(tag) => onChange(tag === undefined ? undefined : switchVariant(kind, value, tag as string))}
      />
    );
  } else if (issues.some((i) => i.path === path)) {
    selector = <Problems issues={issues.filter((i) => i.path === path)} />;
  }
  const required = new Set(properties.required ?? []);
  const fields = Object.entries(properties.properties ?? {}).filter(([k]) => kind.kind !== "union" || k !== kind.discriminator);
  return (
    <>
      {selector}
      {fields.map(([key, s]) => {
        const props: FieldProps = {
          name: key,
          path: `${path}.${key}`,
          prefix,
          schema: s,
          value: isRecord(value) ? value[key] : undefined,
          def: defaultOf(s, value, def, key),
          required: required.has(key),
          issues,
          onChange: (v) => onChange(withKey(value, key, v)),
        };
        return isGroup(s) ? <Fieldset key={key} {...props} /> : <Field key={key} {...props} />;
      })}
    </>
  );
}

/** An object inside a section (method.head, evaluation.knn, ...): a framed group; an optional one can be left out. */
function Fieldset(props: FieldProps) {
  const { name, schema, value, required, onChange, path, issues } = props;
  const optional = !required && schema.default === undefined;
  const kind = fieldKind(schema);
  const bad = issuesUnder(issues, path).length > 0;
  return (
    <fieldset className={`${styles.fieldset} ${bad ? styles.fieldsetBad : ""}`}>
      <legend>
        {optional ? (
          <label className={styles.include}>
            <input
              type="checkbox"
              name={`${props.prefix}${path}`}
              checked={value !== undefined}
              onChange={(e) => onChange(e.target.checked ? (kind.kind === "union" ? switchVariant(kind, undefined, kind.options[0].value) : {}) : undefined)}
            />{" "}
            <code>{name}</code>
          </label>
        ) : (
          <code>{name}</code>
        )}
        {schema.description && <span className={styles.help}> — {schema.description}</span>}
      </legend>
      {(!optional || value !== undefined) && <GroupBody {...props} />}
    </fieldset>
  );
}

/** One input: its kind of control, help (description, what is allowed, the default) and its problems. */
function Field({ name, path, prefix, schema, value, def, required, issues, onChange }: FieldProps) {
  const id = useId();
  const kind = fieldKind(schema);
  // a list or JSON field also shows the problems of its items ("1: Too small: …")
  const mine = kind.kind === "numbers" || kind.kind === "choices" || kind.kind === "json" ? issuesUnder(issues, path) : issues.filter((i) => i.path === path);
  const bad = mine.length > 0;
  const hint = [constraintText(schema), def !== undefined ? `default ${formatValue(def) || '""'}` : required ? "required" : "optional"].filter(Boolean).join(" · ");
  const control = { id, name: `${prefix}${path}`, "aria-invalid": bad || undefined, "aria-describedby": `${id}-help` };
  return (
    <div className={`${styles.field} ${bad ? styles.fieldBad : ""} ${kind.kind === "json" ? styles.wide : ""}`} data-field={path}>
      {kind.kind === "boolean" ? (
        <label htmlFor={id} className={styles.checkLabel}>
          <input type="checkbox" {...control} checked={Boolean(value ?? def ?? false)} onChange={(e) => onChange(e.target.checked)} /> <code>{name}</code>
        </label>
      ) : (
        <label htmlFor={id}>
          <code>{name}</code>
        </label>
      )}
      <Control kind={kind} control={control} value={value} def={def} required={required} onChange={onChange} />
      <div id={`${id}-help`} className={styles.help}>
        {schema.description && <span>{schema.description}</span>}
        <span className={styles.hint}>{hint}</span>
      </div>
      {mine.map((i) => (
        <div key={`${i.path}:${i.message}`} className={styles.error} role="alert">
          {i.path === path ? i.message : `${i.path.slice(path.length + 1)}: ${i.message}`}
        </div>
      ))}
    </div>
  );
}

type ControlAttrs = { id: string; name: string; "aria-invalid"?: boolean; "aria-describedby": string };

function Control({ kind, control, value, def, required, onChange }: { kind: FieldKind; control: ControlAttrs; value: unknown; def: unknown; required: boolean; onChange(v: unknown): void }) {
  switch (kind.kind) {
    case "boolean":
      return null; // the checkbox is the label
    case "choice":
      return (
        <select {...control} value={value === undefined ? "" : String(value)} onChange={(e) => onChange(e.target.value === "" ? undefined : kind.options.find((o) => String(o) === e.target.value))}>
          <option value="" disabled={required && def === undefined}>
            {def !== undefined ? `default (${String(def)})` : required ? "choose…" : "(not set)"}
          </option>
          {kind.options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
    case "choices": {
      const chosen = (Array.isArray(value) ? value : Array.isArray(def) ? def : []) as string[];
      return (
        <div className={styles.choices} id={control.id}>
          {kind.options.map((o) => (
            <label key={o}>
              <input type="checkbox" name={control.name} value={o} checked={chosen.includes(o)} onChange={(e) => onChange(e.target.checked ? kind.options.filter((x) => x === o || chosen.includes(x)) : chosen.filter((x) => x !== o))} /> {o}
            </label>
          ))}
        </div>
      );
    }
    case "number":
      return <TextControl control={control} value={value} def={def} parse={parseNumber} inputMode={kind.integer ? "numeric" : "decimal"} onChange={onChange} />;
    case "numbers":
      return <TextControl control={control} value={value} def={def} parse={parseNumbers} inputMode="text" onChange={onChange} />;
    case "string":
      return <TextControl control={control} value={value} def={def} parse={(t) => (t === "" ? undefined : t)} inputMode="text" onChange={onChange} />;
    default:
      return <JsonControl control={control} value={value} onChange={onChange} />;
  }
}

/**
 * A text input over a value: what is typed stays as typed ("1e-", "512, ") while the value it
 * parses to goes to the config; the text follows the value only when the value changes elsewhere.
 */
function TextControl({ control, value, def, parse, inputMode, onChange }: { control: ControlAttrs; value: unknown; def: unknown; parse(text: string): unknown; inputMode: "numeric" | "decimal" | "text"; onChange(v: unknown): void }) {
  const [text, setText] = useState(formatValue(value));
  useEffect(() => {
    if (JSON.stringify(parse(text)) !== JSON.stringify(value)) setText(formatValue(value));
  }, [value]);
  return (
    <input
      {...control}
      type="text"
      inputMode={inputMode}
      autoComplete="off"
      spellCheck={false}
      value={text}
      placeholder={formatValue(def)}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
    />
  );
}

/** A field the form has no control for (a union of shapes, a list of objects, a map): its JSON. */
function JsonControl({ control, value, onChange }: { control: ControlAttrs; value: unknown; onChange(v: unknown): void }) {
  const pretty = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 1).replace(/\n\s*/g, " "));
  const [text, setText] = useState(pretty(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let same = false;
    try {
      same = JSON.stringify(text.trim() === "" ? undefined : JSON.parse(text)) === JSON.stringify(value);
    } catch {
      same = false;
    }
    if (!same && error === null) setText(pretty(value));
  }, [value]);
  return (
    <>
      <textarea
        {...control}
        className={styles.jsonField}
        spellCheck={false}
        value={text}
        rows={Math.min(6, Math.max(2, Math.ceil(text.length / 70)))}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            const parsed = JSON.parse(e.target.value);
            setError(null);
            onChange(parsed);
          } catch (err) {
            setError(`not valid JSON (${(err as Error).message})`);
          }
        }}
      />
      {error && <div className={styles.error}>{error}</div>}
    </>
  );
}

function Problems({ issues }: { issues: Issue[] }) {
  return (
    <div className={`${styles.error} ${styles.wide}`} role="alert">
      {issues.map((i) => (
        <div key={`${i.path}:${i.message}`}>{i.message}</div>
      ))}
    </div>
  );
}
