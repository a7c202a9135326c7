import { z } from "zod";
import { curveQuery, labelEfficiencyCurve, listBenchmarkResults } from "@/server/services/benchmarks";
import { leaderboard, leaderboardQuery } from "@/server/services/leaderboard";
import { idOf } from "@/server/validation";
import { procedure, router } from "../trpc";

export const benchmarksRouter = router({
  /** Accuracy vs labeled fraction for an encoder and its baselines (mean, std, n per method × fraction). */
  labelEfficiency: procedure.input(curveQuery).query(({ ctx, input }) => labelEfficiencyCurve(ctx.database, input)),
  /** Every encoder × method × fraction of one benchmark (mean ± std over seeds), baselines last. */
  leaderboard: procedure.input(leaderboardQuery).query(({ ctx, input }) => leaderboard(ctx.database, input)),
  results: procedure
    .input(z.object({ runId: idOf("a run").optional(), encoderId: idOf("an encoder").optional() }))
    .query(({ ctx, input }) => listBenchmarkResults(ctx.database, input)),
});
