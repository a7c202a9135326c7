/**
 * Names and metric keys. Pure zod, with no database import, so that the browser's forms check them
 * exactly as the API does (server/validation.ts re-exports them).
 */
import { z } from "zod";

export const name = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .regex(/^[^\u0000-\u001f]*$/, "must not contain control characters");

export const metricKey = z
  .string()
  .min(1, "must not be empty")
  .max(250, "must be at most 250 characters")
  .regex(/^[A-Za-z0-9_\-./: ]+$/, "may only contain letters, digits, space and _ - . / :");

/** Ids are PostgreSQL `integer`s: a larger one can name nothing, and is refused before it reaches SQL. */
export const MAX_ID = 2_147_483_647;

/** An id of `what` ("a run", "an encoder"), from JSON or (coerced) from a path or query string. */
export function idOf(what: string, coerce = false) {
  const error = `must be ${what} id (a positive integer)`;
  return (coerce ? z.coerce.number({ error }) : z.number({ error }))
    .int(error)
    .positive(error)
    .max(MAX_ID, `must be ${what} id, at most ${MAX_ID}`);
}
