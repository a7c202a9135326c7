import { compareRuns } from "@/server/services/compare";
import { readSeries } from "@/server/services/series";
import { compareQuery, idOf, metricKey, seriesQuery } from "@/server/validation";
import { procedure, router } from "../trpc";

export const metricsRouter = router({
  /** A downsampled series (M4, at most maxPoints points); NaN/±Infinity survive superjson. */
  series: procedure
    .input(seriesQuery.extend({ runId: idOf("a run"), key: metricKey }))
    .query(({ ctx, input }) => readSeries(ctx.database, input.runId, input.key, input)),
  /** Several runs' params, metric summaries and downsampled series, in one request. */
  compare: procedure.input(compareQuery).query(({ ctx, input }) => compareRuns(ctx.database, input)),
});
