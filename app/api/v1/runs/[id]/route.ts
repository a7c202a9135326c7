import { z } from "zod";
import { handleRun, json, readInput, type RouteContext } from "@/server/http";
import { getRun, getRunParams, updateRun } from "@/server/services/runs";
import { name } from "@/server/validation";
import { listRunMetrics } from "@/server/services/series";
import { listArtifacts } from "@/server/services/artifacts";
import { listAttempts } from "@/server/services/attempts";

/** GET /api/v1/runs/:id -> the run with its params, metric summaries, artifacts and job attempts */
export const GET = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => {
    const run = await getRun(database, id);
    const [params, metrics, artifacts, attempts] = await Promise.all([
      getRunParams(database, id),
      listRunMetrics(database, id),
      listArtifacts(database, id),
      listAttempts(database, id),
    ]);
    return json({ ...run, params: Object.fromEntries(params.map((p) => [p.key, p.value])), metrics, artifacts, attempts });
  });

const patch = z.object({ name: name.optional(), notes: z.string().max(100_000).optional(), backend: name.optional(), device: name.optional(), worker: name.optional() }).strict();

/** PATCH /api/v1/runs/:id {name?, notes?, backend?, device?, worker?} */
export const PATCH = (req: Request, ctx: RouteContext<{ id: string }>) =>
  handleRun(req, ctx, async (database, id) => json(await updateRun(database, id, await readInput(req, patch))));
