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
