/** zod schemas for everything that enters through the API; tRPC, REST and the CLI share them. */
import { z } from "zod";
import { runStatuses } from "@/drizzle/schema";
import { idOf, MAX_ID, metricKey, name } from "./names";

export { idOf, MAX_ID, metricKey, name };

export const MAX_BATCH_POINTS = 10_000;

const NON_FINITE = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY } as const;

/** JSON has no NaN or Infinity, so they travel as the strings "NaN", "Infinity" and "-Infinity". */
export const metricValue = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])], {
  error: 'must be a number or one of "NaN", "Infinity", "-Infinity"',
});

export function toNumber(v: z.infer<typeof metricValue>): number {
  return typeof v === "number" ? v : NON_FINITE[v];
}

/** The JSON form of a stored value: finite numbers as numbers, others as their name. */
export function toJsonValue(v: number): number | "NaN" | "Infinity" | "-Infinity" {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

export const metricPoint = z.object({
  key: metricKey,
  step: z.number().int("must be an integer").min(0, "must be >= 0").max(Number.MAX_SAFE_INTEGER),
  value: metricValue,
  /** ms since the epoch; the server's clock when omitted */
  timestamp: z.number().int("must be an integer (ms since the epoch)").min(0).optional(),
});

export const paramValue = z.union([z.string().max(5000), z.number(), z.boolean(), z.null()], {
  error: "must be a string, number, boolean or null",
});

export const logBatch = z.object({
  params: z.record(metricKey, paramValue).optional(),
  metrics: z.array(metricPoint).max(MAX_BATCH_POINTS).optional(),
});
export type LogBatch = z.input<typeof logBatch>;

export const runId = idOf("a run", true);
export const experimentId = idOf("an experiment", true);
export const encoderId = idOf("an encoder", true);

/** Limits on what a run carries (each refused with 400 naming the limit). */
export const MAX_TAGS = 1000;
export const MAX_TAG_VALUE_CHARS = 1000;
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Tags: at most MAX_TAGS keys of 1-200 characters, values of at most MAX_TAG_VALUE_CHARS. */
export const tags = z
  .record(
    z.string().min(1, "tag keys must not be empty").max(200, "tag keys must be at most 200 characters"),
    z.string({ error: "must be a string" }).max(MAX_TAG_VALUE_CHARS, `must be at most ${MAX_TAG_VALUE_CHARS} characters`),
  )
  .refine((t) => Object.keys(t).length <= MAX_TAGS, `must have at most ${MAX_TAGS} tags`);

/** A run's config: a JSON object of at most MAX_CONFIG_BYTES (as JSON). */
export const config = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine((c) => Buffer.byteLength(JSON.stringify(c)) <= MAX_CONFIG_BYTES, `must be at most ${MAX_CONFIG_BYTES} bytes (1 MiB) as JSON`);

export const MAX_JSON_DEPTH = 64;

/**
 * What PostgreSQL cannot store, found anywhere in a JSON value: a NUL character (text and jsonb
 * refuse it) in a string or key, or nesting deeper than MAX_JSON_DEPTH. Returns "<field>: <reason>"
 * for the first one, or null. Every JSON body (REST readJson, tRPC inputs) passes through this.
 */
export function jsonInputProblem(value: unknown, root = "body", maxDepth = MAX_JSON_DEPTH): string | null {
  const path: string[] = [];
  const at = () => (path.length ? path.join(".") : root);
  const walk = (v: unknown): string | null => {
    if (typeof v === "string") return v.includes("\u0000") ? `${at()}: must not contain the NUL character (\\u0000)` : null;
    if (v === null || typeof v !== "object") return null;
    if (path.length >= maxDepth) return `${at()}: nested deeper than the limit of ${maxDepth} levels`;
    if (Array.isArray(v)) {
      // arrays of numbers (metric batches, inference inputs) are most of what arrives: skip them fast
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (item === null || (typeof item !== "object" && typeof item !== "string")) continue;
        path.push(String(i));
        const problem = walk(item);
        path.pop();
        if (problem) return problem;
      }
      return null;
    }
    for (const k in v) {
      if (k.includes("\u0000")) return `${at()}: key ${JSON.stringify(k)} must not contain the NUL character (\\u0000)`;
      path.push(k);
      const problem = walk((v as Record<string, unknown>)[k]);
      path.pop();
      if (problem) return problem;
    }
    return null;
  };
  return walk(value);
}

export const createRun = z.object({
  project: name.default("default"),
  experiment: name.default("default"),
  name: name.optional(),
  config: config.default({}),
  tags: tags.default({}),
  notes: z.string().max(100_000).default(""),
  parentRunId: idOf("a run").optional(),
  status: z.enum(runStatuses).default("running"),
});
export type CreateRun = z.input<typeof createRun>;

export const setStatus = z.object({
  status: z.enum(runStatuses),
  reason: z.string().max(10_000).optional(),
});

export const seriesQuery = z.object({
  maxPoints: z.coerce.number().int().min(10, "must be >= 10").max(100_000, "must be <= 100000").default(1000),
  stepFrom: z.coerce.number().int().min(0).optional(),
  stepTo: z.coerce.number().int().min(0).optional(),
});
export type SeriesQuery = z.input<typeof seriesQuery>;

/**
 * Artifact names are relative paths of safe segments: no "..", no absolute paths, no backslashes,
 * so a name can never leave its run's folder in the store.
 */
export const artifactName = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "must be segments of letters, digits, _ - . separated by /")
  .refine((s) => s.split("/").every((seg) => seg !== "." && seg !== ".."), "must not contain . or .. segments");

/** The runs table: a search expression, a sort field, a page (the REST API passes these as query strings). */
export const runsQuery = z.object({
  filter: z.string().max(10_000, "must be at most 10000 characters").default(""),
  sort: z.string().max(300).default("created"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(0, "must be >= 0").default(0),
  pageSize: z.coerce.number().int().min(1, "must be >= 1").max(500, "must be <= 500").default(50),
});
export type RunsQueryInput = z.input<typeof runsQuery>;

export const MAX_COMPARE_RUNS = 100;

/** The compare view: every series of every chosen run in one request, each downsampled. */
export const compareQuery = z.object({
  runIds: z
    .array(runId)
    .min(1, "must name at least one run")
    .max(MAX_COMPARE_RUNS, `must name at most ${MAX_COMPARE_RUNS} runs`),
  /** the metrics to chart; all of the runs' metrics when left out */
  keys: z.array(metricKey).max(200).optional(),
  maxPoints: z.coerce.number().int().min(10, "must be >= 10").max(5000, "must be <= 5000").default(500),
});
export type CompareQuery = z.input<typeof compareQuery>;
