/**
 * Writes the record of the pretraining run that made a shipped encoder, read from a Pretext
 * database: the run's config, backend, steps, wall time, final loss and representation health,
 * the loss and health curves, the encoder artifact's size and sha256, the git commit (the newest
 * commit before the run started) and the date.
 *
 *   PRETEXT_HOME=/tmp/ref-home npx tsx examples/encoders/export-run-record.ts <run id> <out.json> [--encoder <file.ptx>]
 *
 * With --encoder, it also copies the run's encoder.ptx artifact to that file. The database is the
 * embedded one of $PRETEXT_HOME (or $DATABASE_URL); stop any app that holds it first.
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { openDatabase } from "@/server/db";
import { listArtifacts, readArtifactBytes } from "@/server/services/artifacts";
import { getRun, getRunParams } from "@/server/services/runs";
import { listRunMetrics, readSeries } from "@/server/services/series";

const HEALTH = ["health/std_ratio", "health/effective_rank", "health/alignment", "health/uniformity"];

function git(...args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

async function main(argv: string[]) {
  const flag = argv.indexOf("--encoder");
  const encoderOut = flag >= 0 ? argv[flag + 1] : undefined;
  const [idArg, out] = flag >= 0 ? argv.filter((_, i) => i !== flag && i !== flag + 1) : argv;
  if (!/^\d+$/.test(idArg ?? "") || !out) throw new Error("usage: export-run-record.ts <run id> <out.json> [--encoder <file.ptx>]");
  const runId = Number(idArg);
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
  try {
    const run = await getRun(database, runId);
    if (run.status !== "finished") throw new Error(`run ${runId} is ${run.status}, not finished`);
    const params = Object.fromEntries((await getRunParams(database, runId)).map((p) => [p.key, p.value]));
    const metrics = await listRunMetrics(database, runId);
    const last = (key: string) => metrics.find((m) => m.key === key);
    const curve = async (key: string) => (await readSeries(database, runId, key, { maxPoints: 1000 })).points.map((p) => [p.step, p.value]);
    const artifacts = await listArtifacts(database, runId);
    const encoder = artifacts.find((a) => a.name === "encoder.ptx");
    if (!encoder) throw new Error(`run ${runId} has no encoder.ptx artifact`);
    const loss = last("loss");
    const ips = await curve("images_per_sec");
    const record = {
      about: "The pretraining run that made this encoder (exported from its Pretext run by examples/encoders/export-run-record.ts)",
      run: { id: run.id, name: run.name, status: run.status, backend: run.backend, worker: run.worker, tags: run.tags },
      date: run.endedAt?.toISOString().slice(0, 10) ?? null,
      startedAt: run.startedAt?.toISOString() ?? null,
      endedAt: run.endedAt?.toISOString() ?? null,
      wallSeconds: run.startedAt && run.endedAt ? Math.round((run.endedAt.getTime() - run.startedAt.getTime()) / 1000) : null,
      // the commit checked out when the run started (the newest one before it), not the export's
      git: { commit: run.startedAt ? git("rev-list", "-1", `--before=${run.startedAt.toISOString()}`, "HEAD") : git("rev-parse", "HEAD") },
      node: process.version,
      config: run.config,
      /** every field as the run resolved it (defaults filled in, --set applied), as logged params */
      params,
      steps: params.totalSteps ?? null,
      finalLoss: loss ? { step: loss.lastStep, value: loss.lastValue } : null,
      meanImagesPerSec: ips.length ? Math.round(ips.reduce((s, [, v]) => s + v, 0) / ips.length) : null,
      health: Object.fromEntries(HEALTH.map((k) => [k.slice("health/".length), last(k)?.lastValue ?? null])),
      encoder: { artifact: encoder.name, bytes: encoder.bytes, sha256: encoder.sha256 },
      curves: {
        loss: await curve("loss"),
        lr: await curve("lr"),
        ...Object.fromEntries(await Promise.all(HEALTH.map(async (k) => [k, await curve(k)] as const))),
      },
    };
    // [step, value] pairs and short number lists on one line each
    const text = JSON.stringify(record, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, xs: string) => `[${xs.split(/,\s*/).join(", ")}]`);
    await writeFile(out, text + "\n");
    console.log(`wrote ${out}: run ${run.id}, ${record.steps} steps, final loss ${loss?.lastValue}, ${record.wallSeconds} s`);
    if (encoderOut) {
      await writeFile(encoderOut, await readArtifactBytes(database, runId, encoder.name));
      console.log(`wrote ${encoderOut} (${encoder.bytes} bytes, sha256 ${encoder.sha256})`);
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
