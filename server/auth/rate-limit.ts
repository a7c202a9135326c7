/**
 * Per-caller rate limits on ingestion and inference: a token bucket per (class, actor) in this
 * process, refilled at the configured rate and holding two seconds of it. A request beyond it is a
 * 429 whose Retry-After says when the bucket has a token again (the TS client waits that long).
 *   PRETEXT_INGEST_RATE     requests per second per caller to metrics, logs and artifacts (default 1000)
 *   PRETEXT_INFERENCE_RATE  requests per second per caller to deployments' embed (default 1000)
 */
import { PretextError } from "@/server/errors";

export type RateClass = "ingest" | "inference";

const ENV: Record<RateClass, string> = { ingest: "PRETEXT_INGEST_RATE", inference: "PRETEXT_INFERENCE_RATE" };
const DEFAULT_PER_S = 1000;
const BURST_S = 2;

function ratePerS(cls: RateClass): number {
  const raw = process.env[ENV[cls]];
  if (raw === undefined || raw === "") return DEFAULT_PER_S;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${ENV[cls]}: "${raw}" is not a positive number of requests per second`);
  return n;
}

interface Bucket {
  tokens: number;
  at: number;
}
const g = globalThis as unknown as { __pretextBuckets?: Map<string, Bucket> };
const buckets = (g.__pretextBuckets ??= new Map());

/** Takes one request from `actor`'s bucket of `cls`, or throws a 429. */
export function takeRateToken(cls: RateClass, actor: string, now = Date.now()): void {
  const rate = ratePerS(cls);
  const capacity = rate * BURST_S;
  const key = `${cls}\u0000${actor}`;
  const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
  bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  buckets.set(key, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return;
  }
  const retryAfterS = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  throw new PretextError(429, `rate limit: more than ${rate} ${cls} requests per second from ${actor}; retry after ${retryAfterS} s`, retryAfterS);
}
