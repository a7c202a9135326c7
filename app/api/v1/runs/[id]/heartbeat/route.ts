import { handleRun, json, type RouteContext } from "@/server/http";
import { heartbeat } from "@/server/services/silent-runs";

/** POST /api/v1/runs/:id/heartbeat -> {status}: the run's client is alive (one silent for PRETEXT_RUN_TIMEOUT_MINUTES is failed) */
export const POST = (req: Request, ctx: RouteContext<{ id: string }>) => handleRun(req, ctx, async (database, id) => json(await heartbeat(database, id)));
