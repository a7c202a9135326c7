/**
 * Runs that a client runs itself (created over the API, not a queued job) have no worker to vouch
 * for them: one whose client stopped without saying so would stay "running" forever. Each such run
 * shows it is alive by logging metrics or by POST /api/v1/runs/:id/heartbeat (the TS client does
 * both); one silent longer than PRETEXT_RUN_TIMEOUT_MINUTES (default 60) is failed with the reason.
 */
import type { Database } from "@/server/db";
import { query } from "@/server/db/sql";
import { notFound } from "@/server/errors";
import type { RunStatus } from "@/drizzle/schema";

export function runTimeoutMinutes(): number {
  const raw = process.env.PRETEXT_RUN_TIMEOUT_MINUTES;
  if (raw === undefined || raw === "") return 60;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`PRETEXT_RUN_TIMEOUT_MINUTES: "${raw}" is not a positive number of minutes`);
  return n;
}

/** Records a sign of life of a run; its status tells the client whether it is still running. */
export async function heartbeat(database: Database, runId: number): Promise<{ status: RunStatus }> {
  const [run] = await query<{ status: RunStatus }>(database, "update runs set heartbeat_at = now() where id = $1 returning status", [runId]);
  if (!run) throw notFound("run", runId);
  return run;
}

/** Checks every minute in the app process (several processes checking is harmless: the update is idempotent). */
export function sweepSilentRuns(database: Database): NodeJS.Timeout {
  const minutes = runTimeoutMinutes(); // a bad setting stops the start
  const timer = setInterval(() => {
    failSilentRuns(database, minutes)
      .then((ids) => ids.length && console.warn(`failed silent runs ${ids.join(", ")}: no sign of life for ${minutes} minutes`))
      .catch((err) => console.error("silent runs check failed", err));
  }, 60_000);
  timer.unref();
  return timer;
}

/** Fails the running runs without a job whose last sign of life is older than `minutes`; returns their ids. */
export async function failSilentRuns(database: Database, minutes = runTimeoutMinutes()): Promise<number[]> {
  const rows = await query<{ id: number }>(
    database,
    `update runs r
        set status = 'failed', ended_at = now(),
            status_reason = 'no sign of life for ' || $2::text || ' minutes (no metrics, no heartbeat): its client stopped without finishing it'
      where r.status = 'running' and r.job_id is null
        and greatest(r.heartbeat_at, r.started_at, r.created_at, (select max(m.updated_at) from metrics m where m.run_id = r.id))
            < now() - make_interval(secs => $1::float8 * 60)
      returning r.id`,
    [minutes, String(minutes)],
  );
  return rows.map((r) => r.id);
}
