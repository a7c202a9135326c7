import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunTracker } from "../../server/tracking/tracker";
import { parsePretrainConfig, type PretrainConfig } from "./config";
import { CHECKPOINT_ARTIFACT, ENCODER_ARTIFACT, pretrain, type EncoderSnapshot, type PretrainResult } from "./train/pretrain";
import { parseFlags } from "./cli-args";
import { cliProgressSession } from "./cli-progress";

export const TRAIN_USAGE = `usage: pretext train --config <file.json> [--set key=value ...] [--resume <checkpoint>] [--out <dir>] [--queue]
  --config   pretraining config (schema: workers/engine/config.ts; examples: workers/engine/configs/)
  --set      override a field by its dotted path, e.g. --set epochs=1 --set optimizer.lr=0.01
             (values are parsed as JSON when they can be, else taken as strings)
  --resume   continue from a checkpoint file written by an earlier run
  --out      write ${ENCODER_ARTIFACT} and ${CHECKPOINT_ARTIFACT} into this folder
  --queue    enqueue the run for a worker instead of training here`;

/** What happens around a training run beyond logging, e.g. queueing the evaluation its config requests. */
export interface TrainHooks {
  onEncoderSnapshot?(snapshot: EncoderSnapshot): Promise<void>;
  finished?(result: PretrainResult): Promise<void>;
}

interface TrainArgs {
  config: string;
  sets: string[];
  resume?: string;
  out?: string;
  queue: boolean;
}

/**
 * `pretext train`: loads a config, applies --set overrides, trains with a progress bar, and logs
 * through `tracker` when given (otherwise it only prints). Ctrl-C cancels after writing a checkpoint.
 */
export async function trainCommand(args: string[], tracker?: RunTracker, hooksFor?: (cfg: PretrainConfig) => TrainHooks): Promise<PretrainResult> {
  const parsed = parseTrainArgs(args);
  const config = JSON.parse(await readFile(parsed.config, "utf8")) as Record<string, unknown>;
  for (const assignment of parsed.sets) applySet(config, assignment);
  const cfg = parsePretrainConfig(config);
  const hooks = hooksFor?.(cfg) ?? {};
  const resume = parsed.resume ? new Uint8Array(await readFile(parsed.resume)) : undefined;

  const progress = cliProgressSession("epoch {epoch}/{epochs} |{bar}| step {value}/{total} | loss {loss} | {ips} img/s | ETA {eta_formatted}", 20);
  try {
    const result = await pretrain(cfg, {
      tracker,
      resume,
      signal: progress.signal,
      onEncoderSnapshot: hooks.onEncoderSnapshot,
      onStep: (p) => progress.update(p.step, p.totalSteps, { epoch: p.epoch + 1, epochs: p.epochs, loss: p.loss.toFixed(4), ips: p.imagesPerSec.toFixed(0) }, p.step - 1),
    });
    progress.close();
    if (parsed.out) {
      await mkdir(parsed.out, { recursive: true });
      await writeFile(path.join(parsed.out, ENCODER_ARTIFACT), result.encoder);
      await writeFile(path.join(parsed.out, CHECKPOINT_ARTIFACT), result.checkpoint);
    }
    printSummary(result, parsed.out, tracker);
    await hooks.finished?.(result);
    return result;
  } finally {
    progress.close();
  }
}

export function parseTrainArgs(args: string[]): TrainArgs {
  const f = parseFlags(args, { config: {}, set: { multiple: true }, resume: {}, out: {}, queue: { boolean: true } }, ["config"], TRAIN_USAGE);
  return { config: f.config!, sets: f.set ?? [], resume: f.resume, out: f.out, queue: f.queue ?? false };
}

/** Sets `a.b.c=value` in a nested object (creating objects on the way); value as JSON or string. */
export function applySet(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new Error(`--set expects key=value, got "${assignment}"`);
  const keys = assignment.slice(0, eq).split(".");
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (key === "__proto__" || key === "constructor") throw new Error(`--set: illegal key "${key}"`);
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (next === null || typeof next !== "object" || Array.isArray(next)) {
      throw new Error(`--set ${assignment}: "${key}" is not an object in the config`);
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function printSummary(r: PretrainResult, out: string | undefined, tracker?: RunTracker): void {
  const last = r.history.steps.at(-1);
  const health = r.history.health.at(-1);
  const lines = [
    `${r.status}: ${r.stepsDone}/${r.totalSteps} steps on ${r.dataset.name} (backend ${r.backend})`,
    last ? `final loss ${last.loss.toFixed(4)}` : "no steps run",
    health
      ? `health: std ratio ${health.stdRatio.toFixed(3)}, effective rank ${health.effectiveRank.toFixed(1)}, ` +
        `alignment ${health.alignment.toFixed(3)}, uniformity ${health.uniformity.toFixed(3)}`
      : "",
    ...r.history.health.flatMap((h) => h.warnings.map((w) => `warning (epoch ${h.epoch}): collapse: ${w}`)),
    out ? `wrote ${path.join(out, ENCODER_ARTIFACT)} and ${path.join(out, CHECKPOINT_ARTIFACT)}` : "",
    tracker ? `logged to run ${tracker.runId}` : out ? "" : "not saved (no tracker; pass --out <dir> to keep the encoder)",
  ];
  process.stdout.write(lines.filter(Boolean).join("\n") + "\n");
}
