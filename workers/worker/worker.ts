/**
 * A worker: takes jobs from the queue with a bounded concurrency, records who ran what
 * (job_attempts), heartbeats, notices dead workers' jobs and hands them back to the queue, and
 * stops gracefully (checkpoint, release the job) on request.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { and, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { jobAttempts, workers } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { PretextError } from "@/server/errors";
import type { RunJobData, ScheduledJobData } from "@/server/jobs/queue";
import { refreshSweepParent } from "@/server/jobs/sweeps";
import { scheduleTick } from "@/server/drift/schedule";
import { getRun, setRunStatus, updateRun } from "@/server/services/runs";
import { LocalRunTracker } from "@/server/tracking/local-tracker";
import { initBackend } from "@/workers/engine/backend";
import { ConfigError } from "@/workers/engine/config";
import { DatasetError } from "@/workers/engine/data/dataset";
import { runJobHandlers, scheduledTasks, type JobOutcome } from "./handlers";
import { SystemSampler } from "./system-metrics";

export interface WorkerOptions {
  database: Database;
  queue: PgBoss;
  /** jobs that execute runs at once */
  concurrency?: number;
  name?: string;
  /** a worker silent for this long is dead: its jobs go back to the queue */
  staleSeconds?: number;
  heartbeatMs?: number;
  /** how often a running job checks whether its run was cancelled */
  cancelPollMs?: number;
  systemMetricsMs?: number;
  log?: (line: string) => void;
}

export interface RunningWorker {
  id: string;
  backend: string;
  /** Graceful stop: running jobs checkpoint and go back to the queue; resolves when they have. */
  stop(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { database, queue } = opts;
  const concurrency = opts.concurrency ?? 1;
  const staleSeconds = opts.staleSeconds ?? Number(process.env.PRETEXT_WORKER_STALE_SECONDS ?? 30);
  const heartbeatMs = opts.heartbeatMs ?? 2000;
  const log = opts.log ?? ((line: string) => console.log(line));
  const id = opts.name ?? `${os.hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`;
  const { name: backend, device } = await initBackend();
  await database.db.insert(workers).values({ id, hostname: os.hostname(), pid: process.pid, backend, concurrency });

  const shutdown = new AbortController();
  const running = new Set<Promise<unknown>>();

  async function executeRunJob(job: PgBoss.JobWithMetadata<RunJobData>): Promise<void> {
    const { kind, runId } = job.data;
    const run = await getRun(database, runId);
    if (run.status === "cancelled") return;
    const [attempt] = await database.db.insert(jobAttempts).values({ jobId: job.id, runId, workerId: id }).returning();
    await updateRun(database, runId, { worker: id, backend, device });
    await setRunStatus(database, runId, "running");
    log(`worker ${id}: ${kind} run ${runId} (job ${job.id}, attempt ${job.retryCount + 1})`);

    const tracker = new LocalRunTracker(database, runId);
    const cancel = new AbortController();
    const sampler = new SystemSampler();
    const createdAt = run.createdAt.getTime();
    const watchCancel = setInterval(async () => {
      const current = await getRun(database, runId).catch(() => null);
      if (current?.status === "cancelled") cancel.abort();
      const [mine] = await database.db.select({ outcome: jobAttempts.outcome }).from(jobAttempts).where(eq(jobAttempts.id, attempt.id));
      if (mine?.outcome === "lost") {
        // Declared dead by another worker (a pause longer than staleSeconds): the job already runs
        // elsewhere, and anything this process told the queue now would be about that attempt.
        log(`worker ${id}: declared dead while running job ${job.id}; exiting`);
        process.exit(70);
      }
    }, opts.cancelPollMs ?? 1000);
    const watchSystem = setInterval(async () => {
      tracker.logMetrics(await sampler.sample(Math.floor((Date.now() - createdAt) / 1000)));
    }, opts.systemMetricsMs ?? 5000);
    const finish = (outcome: (typeof jobAttempts.$inferInsert)["outcome"], extra: Partial<typeof jobAttempts.$inferInsert> = {}) =>
      database.db
        .update(jobAttempts)
        .set({ outcome, endedAt: new Date(), ...extra })
        .where(and(eq(jobAttempts.id, attempt.id), eq(jobAttempts.outcome, "running")));
    try {
      const result: JobOutcome = await runJobHandlers[kind]({ run, tracker, database, queue, cancel: cancel.signal, stop: shutdown.signal });
      await tracker.flush();
      await finish(result.status === "stopped" ? "failed" : result.status, {
        resumedFromStep: result.resumedFromStep,
        error: result.status === "stopped" ? "released: worker shutting down" : null,
      });
      // A released job fails here so that pg-boss hands it to another worker, which resumes it.
      if (result.status === "stopped") throw new Error(`worker ${id} shut down; the run resumes from its last checkpoint`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await finish("failed", { error: message }).catch(() => {});
      if (err instanceof ConfigError || err instanceof DatasetError || (err instanceof PretextError && err.status < 500)) {
        // A bad config or a missing input (dataset, unknown encoder, artifact): another attempt
        // would fail the same way, so the run fails now and the job ends.
        await setRunStatus(database, runId, "failed", message).catch(() => {});
        return;
      }
      const retries = job.retryCount < job.retryLimit;
      await setRunStatus(database, runId, retries ? "queued" : "failed", retries ? `attempt ${job.retryCount + 1} failed (${message}); retrying` : message).catch(() => {});
      throw err;
    } finally {
      clearInterval(watchCancel);
      clearInterval(watchSystem);
      if (run.parentRunId !== null && kind === "sweep-trial") await refreshSweepParent(database, run.parentRunId).catch(() => {});
    }
  }

  async function executeScheduledJobs(jobs: PgBoss.JobWithMetadata<ScheduledJobData>[]) {
    for (const job of jobs) {
      try {
        const task = scheduledTasks[job.data.task];
        if (!task) throw new Error(`unknown scheduled task "${job.data.task}"`);
        await task(job.data.args ?? {}, { database, queue });
      } catch (err) {
        await queue.fail("scheduled", job.id, { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Jobs of workers that stopped heartbeating go back to the queue (pg-boss retries them). */
  async function reapDeadWorkers() {
    const lost = await query<{ job_id: string; run_id: number; worker_id: string }>(
      database,
      `update job_attempts a set outcome = 'lost', ended_at = now(), error = 'worker ' || a.worker_id || ' stopped heartbeating'
       from workers w
       where a.worker_id = w.id and a.outcome = 'running' and w.id <> $1
         and w.heartbeat_at < now() - make_interval(secs => $2)
       returning a.job_id, a.run_id, a.worker_id`,
      [id, staleSeconds],
    );
    for (const l of lost) {
      const reason = `worker ${l.worker_id} stopped heartbeating`;
      await queue.fail("runs", l.job_id, { error: reason });
      const job = await queue.getJobById("runs", l.job_id);
      const retrying = job?.state === "retry" || job?.state === "created";
      await setRunStatus(database, l.run_id, retrying ? "queued" : "failed", retrying ? `${reason}; retrying` : reason).catch(() => {});
      log(`worker ${id}: job ${l.job_id} of run ${l.run_id} lost by ${l.worker_id}; ${retrying ? "requeued" : "failed"}`);
    }
  }

  const heartbeat = setInterval(async () => {
    try {
      await database.db.update(workers).set({ heartbeatAt: sql`now()` }).where(eq(workers.id, id));
      await reapDeadWorkers();
    } catch (err) {
      log(`worker ${id}: heartbeat failed: ${(err as Error).message}`);
    }
  }, heartbeatMs);

  const track = <T>(p: Promise<T>) => {
    running.add(p);
    return p.finally(() => running.delete(p));
  };
  const workOptions = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: 0.5 };
  const workerIds = await Promise.all([
    ...Array.from({ length: concurrency }, () =>
      queue.work<RunJobData>("runs", workOptions, ([job]) => track(executeRunJob(job))),
    ),
    // Scheduled tasks are short: taken in batches, each failing (and retrying) on its own.
    queue.work<ScheduledJobData>("scheduled", { ...workOptions, batchSize: 20 }, (jobs) => track(executeScheduledJobs(jobs))),
  ]);
  await scheduleTick(queue);
  log(`worker ${id}: ready (backend ${backend} on ${device}, concurrency ${concurrency})`);

  return {
    id,
    backend,
    async stop() {
      await Promise.all(workerIds.map((wid) => queue.offWork({ id: wid })));
      shutdown.abort();
      await Promise.allSettled([...running]);
      clearInterval(heartbeat);
      await database.db
        .update(workers)
        .set({ stoppedAt: new Date() })
        .where(eq(workers.id, id));
      log(`worker ${id}: stopped`);
    },
  };
}
