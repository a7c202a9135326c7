/**
 * `--flag value` options of the pretext subcommands, parsed by node:util's parseArgs; every error
 * names the flag and ends with the command's usage.
 */
import { parseArgs } from "node:util";

type Spec = Record<string, { multiple?: boolean }>;
type Parsed<S extends Spec> = { [K in keyof S]?: S[K]["multiple"] extends true ? string[] : string };

export function parseFlags<S extends Spec>(args: string[], spec: S, required: (keyof S & string)[], usage: string): Parsed<S> {
  const options = Object.fromEntries(Object.entries(spec).map(([name, o]) => [name, { type: "string" as const, multiple: o.multiple ?? false }]));
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec((err as Error).message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new Error(`unknown argument ${flag}\n${usage}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new Error(`${flag} needs a value\n${usage}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new Error(`unexpected argument ${/'([^']+)'/.exec((err as Error).message)?.[1] ?? ""}\n${usage}`);
    throw err;
  }
  for (const name of required) if (values[name] === undefined) throw new Error(`--${name} is required\n${usage}`);
  return values as Parsed<S>;
}

/** A flag's value as a finite number. */
export function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`--${flag} must be a number, got "${value}"`);
  return n;
}
