import { ZodError } from "zod";

/** An error a caller can act on: carries the HTTP status and, where one is at fault, the field. */
export class PretextError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500,
    message: string,
    /** for a 429: seconds until a retry may succeed (the Retry-After header) */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "PretextError";
  }
}

/** PostgreSQL's unique_violation (23505), raised directly or as the cause drizzle wraps it in. */
export const isUniqueViolation = (err: unknown) =>
  [err, (err as { cause?: unknown })?.cause].some((e) => (e as { code?: string } | undefined)?.code === "23505");

export const notFound = (what: string, id: string | number) => new PretextError(404, `${what} ${id} not found`);
export const badInput = (message: string) => new PretextError(400, message);

/** "metrics.3.value: expected number, received string; name: required" */
export function describeZodError(err: ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
}
