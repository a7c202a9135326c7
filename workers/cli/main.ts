/**
 * `pretext <command>`: the command line of Pretext.
 *   pretext train --config <file> [--set k=v ...]   pretrain here, logged to the tracking core
 *   pretext train --queue --config <file>           enqueue it for any worker instead
 *   pretext worker [--concurrency N] [--name X]     take jobs from the queue
 *   pretext cancel <run id>                         cancel a queued or running run
 *   pretext app [--port 3000]                       serve the web app (production build)
 * Logging goes to the app at $PRETEXT_URL when set, else straight into the database
 * ($DATABASE_URL, or the embedded one under $PRETEXT_HOME).
 */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PretextClient } from "@/server/client";
import { getDatabase } from "@/server/db";
import { createRun } from "@/server/services/runs";
import { LocalRunTracker } from "@/server/tracking/local-tracker";
import type { RunTracker } from "@/server/tracking/tracker";
import { cancelRun, launchRun } from "@/server/jobs/launch";
import { getQueue } from "@/server/jobs/queue";
import { applySet, parseTrainArgs, TRAIN_USAGE, trainCommand } from "@/workers/engine/cli-train";
import { startWorker } from "@/workers/worker/worker";

const USAGE = `usage: pretext <command> [options]

commands:
  train    pretrain an encoder from a config file (--queue: enqueue it for a worker)
  worker   take jobs from the queue: --concurrency N (default 1), --name NAME
  cancel   cancel a queued or running run: pretext cancel <run id>
  app      serve the web app (runs \`next build\` first)

${TRAIN_USAGE}`;

async function openTracker(experiment: string, name: string, config: Record<string, unknown>): Promise<{ tracker: RunTracker; where: string; close(): Promise<void> }> {
  const run = { experiment, name, config, status: "queued" as const };
  if (process.env.PRETEXT_URL) {
    const client = new PretextClient();
    const created = await client.createRun(run);
    const tracker = client.tracker(created.id);
    return { tracker, where: `${client.baseUrl}/runs/${created.id}`, close: async () => tracker.close() };
  }
  const database = await getDatabase();
  const created = await createRun(database, run);
  return { tracker: new LocalRunTracker(database, created.id), where: `run ${created.id} (${database.kind})`, close: () => database.close() };
}

async function train(args: string[]) {
  if (args.includes("--queue")) return enqueueTrain(args.filter((a) => a !== "--queue"));
  const { config: file } = parseTrainArgs(args);
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const name = typeof config.name === "string" ? config.name : path.basename(file, ".json");
  const { tracker, where, close } = await openTracker("pretrain", name, config);
  console.error(`logging to ${where}`);
  try {
    await trainCommand(args, tracker);
    await tracker.flush();
  } finally {
    await close();
  }
}

/** Reads the config (with --set overrides) and enqueues a pretrain job; any worker picks it up. */
async function enqueueTrain(args: string[]) {
  const parsed = parseTrainArgs(args);
  const config = JSON.parse(await readFile(parsed.config, "utf8")) as Record<string, unknown>;
  for (const assignment of parsed.sets) applySet(config, assignment);
  const input = { kind: "pretrain" as const, experiment: "pretrain", name: typeof config.name === "string" ? config.name : undefined, config };
  if (process.env.PRETEXT_URL) {
    const { run, jobId } = await new PretextClient().launch(input);
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

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function worker(args: string[]) {
  const concurrency = Number(flag(args, "--concurrency") ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${flag(args, "--concurrency")}`);
  const database = await getDatabase();
  const queue = await getQueue(database);
  const running = await startWorker({ database, queue, concurrency, name: flag(args, "--name") });
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
  const runId = Number(args[0]);
  if (!Number.isInteger(runId) || runId <= 0) throw new Error("usage: pretext cancel <run id>");
  if (process.env.PRETEXT_URL) {
    await new PretextClient().cancel(runId);
  } else {
    const database = await getDatabase();
    const queue = await getQueue(database);
    try {
      await cancelRun(database, queue, runId);
    } finally {
      await queue.stop({ graceful: false, wait: true });
      await database.close();
    }
  }
  console.log(`cancelled run ${runId}`);
}

function app(args: string[]) {
  const port = flag(args, "--port") ?? "3000";
  const next = path.resolve("node_modules/.bin/next");
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (spawnSync(next, ["build"], { stdio: "inherit", env }).status !== 0) process.exit(1);
  spawnSync(next, ["start", "-p", port], { stdio: "inherit", env });
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === "train") await train(rest);
  else if (command === "worker") await worker(rest);
  else if (command === "cancel") await cancel(rest);
  else if (command === "app") app(rest);
  else {
    console.log(USAGE);
    process.exitCode = command && command !== "help" && command !== "--help" ? 2 : 0;
  }
} catch (err) {
  console.error(`pretext ${command}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
