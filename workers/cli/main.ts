/**
 * `pretext <command>`: the command line of Pretext.
 *   pretext train --config <file> [--set k=v ...]   pretrain here, logged to the tracking core
 *   pretext train --queue --config <file>           enqueue it for any worker instead
 *   pretext sweep --config <file>                   enqueue a sweep (grid or random search)
 *   pretext worker [--concurrency N] [--name X]     take jobs from the queue
 *   pretext eval --encoder <id|file> --suite <file> evaluate an encoder (protocols + baselines)
 *   pretext audit --dataset <name>                  audit a dataset (duplicates, overlap, balance, gap)
 *   pretext cancel <run id> [...]                   cancel queued or running runs
 *   pretext simulate --deployment <name> --data <d> send traffic (optionally drifted) to a deployment
 *   pretext token create|list|revoke                API tokens (./access.ts)
 *   pretext user create|list|link                   users of the UI
 *   pretext app [--port 3000] [--host 127.0.0.1]    serve the web app (production build)
 * Work goes to the running app when there is one (./target.ts: $PRETEXT_URL, or the app that holds
 * the embedded database), else straight into the database ($DATABASE_URL, or the embedded one).
 */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type PgBoss from "pg-boss";
import { getDatabase } from "@/server/db";
import { createRun } from "@/server/services/runs";
import { LocalRunTracker } from "@/server/tracking/local-tracker";
import type { RunTracker } from "@/server/tracking/tracker";
import { cancelRun, launchRun } from "@/server/jobs/launch";
import { getQueue } from "@/server/jobs/queue";
import { launchSweep } from "@/server/jobs/sweeps";
import { applySet, parseTrainArgs, TRAIN_USAGE, trainCommand } from "@/workers/engine/cli-train";
import { AUDIT_USAGE, auditCommand, parseAuditArgs, type RegisteredDatasetLoader } from "@/workers/engine/cli-audit";
import { EVAL_USAGE, evalCommand, parseEvalArgs, type RegisteredEncoderLoader } from "@/workers/engine/cli-eval";
import { loadEncoderSource, registeredDatasetSpec } from "@/workers/worker/job-configs";
import { requestedEvaluations, type Launch } from "@/workers/worker/requested-evaluation";
import { startWorker } from "@/workers/worker/worker";
import { parseCommand } from "@/workers/engine/cli-args";
import { TOKEN_USAGE, tokenCommand, USER_USAGE, userCommand } from "./access";
import { SIMULATE_USAGE, simulateCommand } from "./simulate";
import { appTarget } from "./target";

const USAGE = `usage: pretext <command> [options]

commands:
  train    pretrain an encoder from a config file (--queue: enqueue it for a worker)
  sweep    enqueue a sweep from a sweep config: pretext sweep --config <file>
  eval     evaluate an encoder with a suite: linear probe, kNN, adapter, fine-tuning and baselines
  audit    audit a dataset: duplicates, train/test overlap, class balance, domain gap
  worker   take jobs from the queue: --concurrency N (default 1), --name NAME
  cancel   cancel queued or running runs: pretext cancel <run id> [<run id> ...]
  simulate send a dataset's samples to a deployment at a steady rate, with drift injected in a window of requests
  token    API tokens for scripts, CI and workers (the CLI sends $PRETEXT_TOKEN)
  user     users who sign in to the UI
  app      serve the web app (runs \`next build\` first): --port 3000, --host 127.0.0.1

${TRAIN_USAGE}

${EVAL_USAGE}

${AUDIT_USAGE}

${SIMULATE_USAGE}

${TOKEN_USAGE}

${USER_USAGE}`;

interface OpenedTracker {
  tracker: RunTracker;
  where: string;
  /** Registered encoders by id and datasets by name: only with the database at hand (not through $PRETEXT_URL). */
  registered: { encoder?: RegisteredEncoderLoader; dataset?: RegisteredDatasetLoader };
  /** Queues a job beside the run (on the database's queue, or through the app). */
  launch: Launch;
  close(): Promise<void>;
}

async function openTracker(experiment: string, name: string, config: Record<string, unknown>): Promise<OpenedTracker> {
  const run = { experiment, name, config, status: "queued" as const };
  const client = await appTarget();
  if (client) {
    const created = await client.createRun(run);
    const tracker = client.tracker(created.id);
    return { tracker, where: `${client.baseUrl}/runs/${created.id}`, registered: {}, launch: (input) => client.launch(input), close: async () => tracker.close() };
  }
  const database = await getDatabase();
  const created = await createRun(database, run);
  let queue: PgBoss | undefined;
  return {
    tracker: new LocalRunTracker(database, created.id),
    where: `run ${created.id} (${database.kind})`,
    registered: { encoder: (id) => loadEncoderSource(database, { id }), dataset: (name) => registeredDatasetSpec(database, name) },
    launch: async (input) => launchRun(database, (queue ??= await getQueue(database)), input),
    close: async () => {
      await queue?.stop({ graceful: false, wait: true });
      await database.close();
    },
  };
}

/** Runs a command that logs into a fresh run of `experiment`; the run is failed if the command throws before it could say so. */
async function withTracker<T>(experiment: string, name: string, config: Record<string, unknown>, command: (t: OpenedTracker) => Promise<T>): Promise<T> {
  const opened = await openTracker(experiment, name, config);
  console.error(`logging to ${opened.where}`);
  try {
    const result = await command(opened);
    await opened.tracker.flush();
    return result;
  } catch (err) {
    await opened.tracker.setStatus("failed", err instanceof Error ? err.message : String(err)).catch(() => {});
    throw err;
  } finally {
    await opened.close();
  }
}

async function evaluate(args: string[]) {
  const parsed = parseEvalArgs(args);
  const config = { encoder: parsed.encoder, suite: JSON.parse(await readFile(parsed.suite, "utf8")) as unknown, set: parsed.sets };
  const name = `eval-${parsed.name ?? path.basename(parsed.encoder, ".ptx")}`;
  await withTracker("evaluation", name, config, ({ tracker, registered }) => evalCommand(args, tracker, registered.encoder));
}

async function audit(args: string[]) {
  const parsed = parseAuditArgs(args);
  const name = parsed.dataset.trimStart().startsWith("{") ? "audit" : `audit-${path.basename(parsed.dataset)}`;
  await withTracker("audit", name, { ...parsed }, ({ tracker, registered }) => auditCommand(args, tracker, registered));
}

async function train(args: string[]) {
  const { config: file, sets, queue } = parseTrainArgs(args);
  if (queue) return enqueueTrain(args);
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  for (const assignment of sets) applySet(config, assignment); // the run stores the config it trains
  const name = typeof config.name === "string" ? config.name : path.basename(file, ".json");
  await withTracker("pretrain", name, config, async ({ tracker, launch }) => {
    let queued: number[] = [];
    await trainCommand(args, tracker, (cfg) => {
      const evaluations = requestedEvaluations({ id: Number(tracker.runId), name }, cfg, launch);
      queued = evaluations.queued;
      return evaluations;
    });
    if (queued.length > 0) console.log(`queued evaluation runs ${queued.join(", ")}; \`pretext worker\` runs them`);
  });
}

/** Reads the config (with --set overrides) and enqueues a pretrain job; any worker picks it up. */
async function enqueueTrain(args: string[]) {
  const parsed = parseTrainArgs(args);
  const config = JSON.parse(await readFile(parsed.config, "utf8")) as Record<string, unknown>;
  for (const assignment of parsed.sets) applySet(config, assignment);
  const input = { kind: "pretrain" as const, experiment: "pretrain", name: typeof config.name === "string" ? config.name : undefined, config };
  const client = await appTarget();
  if (client) {
    const { run, jobId } = await client.launch(input);
    console.log(`queued run ${run.id} (job ${jobId})`);
    return;
  }
  const database = await getDatabase();
  const queue = await getQueue(database);
  try {
    const { run, jobId } = await launchRun(database, queue, input);
    console.log(`queued run ${run.id} (job ${jobId}); start a worker with \`pretext worker\``);
  } finally {
    await queue.stop({ graceful: false, wait: true });
    await database.close();
  }
}

const SWEEP_USAGE = "usage: pretext sweep --config <sweep.json>";
const WORKER_USAGE = "usage: pretext worker [--concurrency N] [--name NAME]";
const CANCEL_USAGE = "usage: pretext cancel <run id> [<run id> ...]";
const APP_USAGE = "usage: pretext app [--port 3000] [--host 127.0.0.1]";

async function sweep(args: string[]) {
  const file = parseCommand(args, { config: {} }, ["config"], SWEEP_USAGE).flags.config!;
  const config = JSON.parse(await readFile(file, "utf8")) as unknown;
  const report = ({ parent, trials }: { parent: { id: number }; trials: { id: number }[] }) =>
    console.log(`queued sweep run ${parent.id} with ${trials.length} trials (runs ${trials.map((t) => t.id).join(", ")})`);
  const client = await appTarget();
  if (client) return report(await client.launchSweep(config));
  const database = await getDatabase();
  const queue = await getQueue(database);
  try {
    report(await launchSweep(database, queue, config));
  } finally {
    await queue.stop({ graceful: false, wait: true });
    await database.close();
  }
}

async function worker(args: string[]) {
  const { flags } = parseCommand(args, { concurrency: {}, name: {} }, [], WORKER_USAGE);
  const concurrency = Number(flags.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${flags.concurrency}`);
  const database = await getDatabase();
  const queue = await getQueue(database);
  const running = await startWorker({ database, queue, concurrency, name: flags.name });
  await new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      console.log(`worker ${running.id}: ${signal}, finishing the current step and releasing jobs`);
      await running.stop();
      await queue.stop({ graceful: true, wait: true, timeout: 30_000 });
      await database.close();
      resolve();
    };
    process.once("SIGTERM", () => void stop("SIGTERM"));
    process.once("SIGINT", () => void stop("SIGINT"));
  });
}

async function cancel(args: string[]) {
  const runIds = parseCommand(args, {}, [], CANCEL_USAGE, { positionals: true }).positionals.map(Number);
  if (runIds.length === 0 || !runIds.every((id) => Number.isInteger(id) && id > 0)) throw new Error(CANCEL_USAGE);
  const client = await appTarget();
  if (client) {
    for (const id of runIds) await client.cancel(id);
  } else {
    const database = await getDatabase();
    const queue = await getQueue(database);
    try {
      for (const id of runIds) await cancelRun(database, queue, id);
    } finally {
      await queue.stop({ graceful: false, wait: true });
      await database.close();
    }
  }
  console.log(`cancelled run${runIds.length > 1 ? "s" : ""} ${runIds.join(", ")}`);
}

function app(args: string[]) {
  const { flags } = parseCommand(args, { port: {}, host: {} }, [], APP_USAGE);
  const port = flags.port ?? "3000";
  const next = path.resolve("node_modules/.bin/next");
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (spawnSync(next, ["build"], { stdio: "inherit", env }).status !== 0) process.exit(1);
  spawnSync(next, ["start", "-p", port, "-H", flags.host ?? "127.0.0.1"], { stdio: "inherit", env });
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === "train") await train(rest);
  else if (command === "eval") await evaluate(rest);
  else if (command === "audit") await audit(rest);
  else if (command === "worker") await worker(rest);
  else if (command === "sweep") await sweep(rest);
  else if (command === "cancel") await cancel(rest);
  else if (command === "simulate") await simulateCommand(rest);
  else if (command === "token") await tokenCommand(rest);
  else if (command === "user") await userCommand(rest);
  else if (command === "app") app(rest);
  else {
    console.log(USAGE);
    process.exitCode = command && command !== "help" && command !== "--help" ? 2 : 0;
  }
} catch (err) {
  console.error(`pretext ${command}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
