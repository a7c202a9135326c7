/**
 * How the server authenticates, from the environment (read once per process):
 *   PRETEXT_AUTH=off            every request may do everything (the UI says so on every page)
 *   PRETEXT_ANONYMOUS_READ=true reads need no token
 * Any other value of either is refused at start, so a typo never turns auth off.
 */
export interface AuthConfig {
  enabled: boolean;
  anonymousRead: boolean;
}

function flag(name: string, values: Record<string, boolean>, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = values[raw.toLowerCase()];
  if (value === undefined) throw new Error(`${name}: "${raw}" is not one of ${Object.keys(values).join(", ")}`);
  return value;
}

export function authConfig(): AuthConfig {
  return {
    enabled: flag("PRETEXT_AUTH", { on: true, off: false }, true),
    anonymousRead: flag("PRETEXT_ANONYMOUS_READ", { true: true, false: false, "1": true, "0": false }, false),
  };
}
