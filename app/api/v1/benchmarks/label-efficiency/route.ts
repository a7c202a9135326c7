import { handle, json } from "@/server/http";
import { labelEfficiencyCurve, type CurveQuery } from "@/server/services/benchmarks";

/**
 * GET /api/v1/benchmarks/label-efficiency?encoderId=…|runId=…[&benchmark=…][&metric=test_accuracy]
 * -> {encoder, benchmark, metric, runIds, series: [{method, baseline, points: [{labelFraction, mean, std, n}]}]}
 */
export const GET = (req: Request) =>
  handle(req, async (database) => json(await labelEfficiencyCurve(database, Object.fromEntries(new URL(req.url).searchParams) as CurveQuery)));
