import { handle, json, readInput } from "@/server/http";
import { createOutcomeMetric, listOutcomeMetrics, outcomeMetricInput } from "@/server/rollout/outcomes";

/** GET /api/v1/metrics -> the outcome metrics experiments are measured on */
export const GET = (req: Request) => handle(req, async (database) => json(await listOutcomeMetrics(database)));

/** POST /api/v1/metrics {key, kind: "mean"|"proportion", goal?: "increase"|"decrease", guardrail?, description?} -> the metric */
export const POST = (req: Request) =>
  handle(req, async (database, principal) => json(await createOutcomeMetric(database, await readInput(req, outcomeMetricInput), principal.actor), 201), { scope: "write" });
