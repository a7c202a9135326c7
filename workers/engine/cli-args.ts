/**
 * The one flag parser of the pretext commands (node:util's parseArgs, strict): unknown flags are
 * errors (`--concurency`), and every error names the flag and ends with the command's usage.
 */
import { parseArgs } from "node:util";

type Spec = Record<string, { multiple?: boolean; boolean?: boolean }>;
type Parsed<S extends Spec> = { [K in keyof S]?: S[K]["boolean"] extends true ? boolean : S[K]["multiple"] extends true ? string[] : string };

/** Flags and positional arguments (`pretext cancel 3 4`); positionals are refused unless `positionals` is set. */
export function parseCommand<S extends Spec>(
  args: string[],
  spec: S,
  required: (keyof S & string)[],
  usage: string,
  opts: { positionals?: boolean } = {},
): { flags: Parsed<S>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, o]) => [name, o.boolean ? { type: "boolean" as const } : { type: "string" as const, multiple: o.multiple ?? false }]),
  );
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: opts.positionals ?? false });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec((err as Error).message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new Error(`unknown argument ${flag}\n${usage}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new Error(`${flag} needs a value\n${usage}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new Error(`unexpected argument ${/'([^']+)'/.exec((err as Error).message)?.[1] ?? ""}\n${usage}`);
    throw err;
  }
  for (const name of required) if (parsed.values[name] === undefined) throw new Error(`--${name} is required\n${usage}`);
  return { flags: parsed.values as Parsed<S>, positionals: parsed.positionals };
}

/** Flags only. */
export function parseFlags<S extends Spec>(args: string[], spec: S, required: (keyof S & string)[], usage: string): Parsed<S> {
  return parseCommand(args, spec, required, usage).flags;
}

/** A flag's value as a finite number. */
export function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`--${flag} must be a number, got "${value}"`);
  return n;
}
