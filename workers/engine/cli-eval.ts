import { readFile, stat, writeFile } from "node:fs/promises";
import type { RunTracker } from "../../server/tracking/tracker";
import { applySet } from "./cli-train";
import type { EvaluatedEncoder } from "./eval/onnx-encoder";
import { runEvaluationSuite, type EncoderRef, type EvalSuiteResult, type SummaryRow } from "./eval/run-suite";
import type { EvalSuiteInput } from "./eval/suite";
import { parseFlags } from "./cli-args";
import { cliProgressSession } from "./cli-progress";

export const EVAL_USAGE = `usage: pretext eval --encoder <id|file.ptx> --suite <file.json> [--set key=value ...] [--name <encoder name>] [--out <file.json>]
  --encoder  a registered encoder's id, or an encoder file: encoder.ptx written by \`pretext train --out\`,
             or a checkpoint's snapshot (encoder-epoch-N.ptx); a registered ONNX encoder runs only the
             protocols on its embeddings (default linear_probe and knn; adapter) and the raw_linear baseline
  --suite    evaluation suite (schema: workers/engine/eval/suite.ts), e.g. {"dataset": {"kind": "fashion-mnist"}}
  --set      override a suite field by its dotted path, e.g. --set seeds=[0] --set fractions=[0.01,0.1]
  --name     register the encoder under this name (default: <method>-<dataset>)
  --out      also write the results (summary, every result, chosen hyperparameters) to this JSON file`;

interface EvalArgs {
  encoder: string;
  suite: string;
  sets: string[];
  name?: string;
  out?: string;
}

/**
 * `pretext eval`: evaluates an encoder file with a suite (linear probe, kNN, adapter, fine-tuning,
 * and the supervised and raw-input baselines at each label fraction and seed) with a progress bar,
 * logging through `tracker` when given; prints the mean ± std table. Ctrl-C stops after the current result.
 */
export async function evalCommand(args: string[], tracker?: RunTracker, registered?: RegisteredEncoderLoader): Promise<EvalSuiteResult> {
  const parsed = parseEvalArgs(args);
  const suite = JSON.parse(await readFile(parsed.suite, "utf8")) as Record<string, unknown>;
  for (const assignment of parsed.sets) applySet(suite, assignment);
  if (parsed.name) suite.encoderName = parsed.name;
  const { encoder, ref } = await readEncoderArg(parsed.encoder, registered);
  const progress = cliProgressSession("eval |{bar}| {value}/{total} | {last} | ETA {eta_formatted}", 10);
  try {
    const result = await runEvaluationSuite(suite as EvalSuiteInput, encoder, tracker, {
      encoder: ref,
      signal: progress.signal,
      onProgress: (p) => progress.update(p.done, p.total, { last: p.last }),
    });
    progress.close();
    if (parsed.out) await writeFile(parsed.out, JSON.stringify(result, null, 2));
    process.stdout.write(formatSummary(result.summary) + `\n${result.status}: ${result.results.length} results for ${result.benchmark}` + (tracker ? `, logged to run ${tracker.runId} (encoder ${result.encoderId})` : "") + "\n");
    return result;
  } finally {
    progress.close();
  }
}

/** Loads a registered encoder's weights (or ONNX model and spec) by id (needs the database). */
export type RegisteredEncoderLoader = (id: number) => Promise<{ encoder: EvaluatedEncoder; ref: EncoderRef }>;

/** `--encoder`: an existing file, else a registered encoder's id. */
export async function readEncoderArg(arg: string, registered?: RegisteredEncoderLoader): Promise<{ encoder: EvaluatedEncoder; ref?: EncoderRef }> {
  const isFile = await stat(arg).then((s) => s.isFile(), () => false);
  if (isFile) return { encoder: new Uint8Array(await readFile(arg)) };
  if (!/^[1-9]\d*$/.test(arg)) throw new Error(`--encoder: "${arg}" is neither an encoder file nor a registered encoder id`);
  if (!registered) throw new Error(`--encoder ${arg}: a registered encoder is read from the database, which this command cannot open while it works through the app; pass the encoder file (the run's encoder.ptx artifact) instead`);
  return registered(Number(arg));
}

export function parseEvalArgs(args: string[]): EvalArgs {
  const f = parseFlags(args, { encoder: {}, suite: {}, set: { multiple: true }, name: {}, out: {} }, ["encoder", "suite"], EVAL_USAGE);
  return { encoder: f.encoder!, suite: f.suite!, sets: f.set ?? [], name: f.name, out: f.out };
}

/** Methods as rows, label fractions as columns: "mean ± std" test accuracy in %. */
export function formatSummary(rows: SummaryRow[]): string {
  const fractions = [...new Set(rows.map((r) => r.labelFraction))].sort((a, b) => a - b);
  const methods = [...new Set(rows.map((r) => r.method))];
  const cell = (m: string, f: number) => {
    const r = rows.find((x) => x.method === m && x.labelFraction === f);
    return r ? `${(100 * r.mean).toFixed(1)} ± ${(100 * r.std).toFixed(1)}` : "-";
  };
  const table = [["method", ...fractions.map((f) => `${Number((f * 100).toPrecision(3))} % labels`)], ...methods.map((m) => [m, ...fractions.map((f) => cell(m, f))])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}
