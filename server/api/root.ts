import { accessRouter } from "./routers/access";
import { benchmarksRouter } from "./routers/benchmarks";
import { experimentsRouter } from "./routers/experiments";
import { metricsRouter } from "./routers/metrics";
import { monitoringRouter } from "./routers/monitoring";
import { rolloutRouter } from "./routers/rollout";
import { registryRouter } from "./routers/registry";
import { runsRouter } from "./routers/runs";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  experiments: experimentsRouter,
  runs: runsRouter,
  metrics: metricsRouter,
  benchmarks: benchmarksRouter,
  registry: registryRouter,
  monitoring: monitoringRouter,
  rollout: rolloutRouter,
  access: accessRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
