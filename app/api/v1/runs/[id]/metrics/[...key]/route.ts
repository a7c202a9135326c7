import { handleRun, json, type RouteContext } from "@/server/http";
import { readSeries } from "@/server/services/series";
import { toJsonValue } from "@/server/validation";

/** GET /api/v1/runs/:id/metrics/:key?maxPoints=1000&stepFrom=&stepTo= -> downsampled series */
export const GET = (req: Request, ctx: RouteContext<{ id: string; key: string[] }>) =>
  handleRun(req, ctx, async (database, id, { key }) => {
    const search = Object.fromEntries(new URL(req.url).searchParams);
    const series = await readSeries(database, id, key.join("/"), search);
    return json({
      key: series.key,
      total: series.total,
      downsampled: series.downsampled,
      steps: series.points.map((p) => p.step),
      values: series.points.map((p) => toJsonValue(p.value)),
      timestamps: series.points.map((p) => p.wallTime),
    });
  });
