/**
 * `npm run bench -- shadow [--seconds 8] [--images 8] [--clients 4]`
 *
 * What a shadow candidate costs the primary: one deployment of the reference encoder served in
 * process (onnxruntime-node where it loads; PostgreSQL at TEST_DATABASE_URL keeps the request log), its capacity measured first (closed loop, `--clients`
 * back to back), then a closed loop paced at about half of it (each client waits for its answer and
 * starts its next request on a schedule), alternating rounds without and with a shadow candidate
 * (another version of the same network, every request copied). Target (issue 18): primary p99 with
 * the shadow ≤ 1.10 × without.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { encoders } from "@/drizzle/schema";
import { openDatabase } from "@/server/db";
import { createPostgresDatabase } from "@/server/testing/databases";
import { registerEncoder } from "@/server/registry/encoders";
import { changeStage } from "@/server/registry/promotion";
import { setShadow } from "@/server/rollout/shadow";
import { uploadArtifact } from "@/server/services/artifacts";
import { createRun } from "@/server/services/runs";
import { createDeployment } from "@/server/serving/deployments";
import { Serving } from "@/server/serving/serve";
import { loadDataset } from "@/workers/engine/data/load-dataset";
import { numberFlag, parseFlags } from "@/workers/engine/cli-args";
import { percentile, printFigures, printTable } from "./lib/report";

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE = "usage: npm run bench -- shadow [--seconds 8] [--images 8] [--clients 4]";

export async function main(args: string[]) {
  const flags = parseFlags(args, { seconds: {}, images: {}, clients: {} }, [], USAGE);
  const seconds = numberFlag("seconds", flags.seconds) ?? 8;
  const images = numberFlag("images", flags.images) ?? 8;
  const clients = numberFlag("clients", flags.clients) ?? 4;
  process.env.PRETEXT_ARTIFACT_DIR ??= `/tmp/pretext-bench-shadow-${process.pid}`;
  // PostgreSQL, as a served deployment runs: the request log's writes happen in its process, not in
  // this event loop (embedded PGlite would add its own pauses to both sides)
  const pg = await createPostgresDatabase();
  const database = await openDatabase({ databaseUrl: pg.url });
  const serving = new Serving(database);
  try {
    const run = await createRun(database, { experiment: "bench", status: "finished" });
    await uploadArtifact(database, run.id, "encoder.ptx", "encoder", readFileSync(path.resolve(here, "../examples/encoders/fashion-mnist-simclr.ptx")));
    for (let v = 0; v < 2; v++) await registerEncoder(database, { name: "fm", runId: run.id, artifactName: "encoder.ptx" });
    const [v1] = await database.db.select().from(encoders).where(and(eq(encoders.name, "fm"), eq(encoders.version, 1)));
    await changeStage(database, v1.id, { stage: "production", reason: "bench" }, "bench");
    await createDeployment(database, { name: "fm", encoderName: "fm", sampleRate: 0, retentionDays: 1 }, "bench");

    const pixels = (await loadDataset({ kind: "fashion-mnist" })).test!.x as Uint8Array;
    const request = (k: number) => ({ inputs: Array.from({ length: images }, (_, i) => Array.from(pixels.subarray(((k * images + i) % 10_000) * 784, ((k * images + i) % 10_000 + 1) * 784))) });
    const bodies = Array.from({ length: 64 }, (_, k) => request(k));
    let sent = 0;
    const embed = () => serving.embed("fm", bodies[sent++ % bodies.length]);

    /** `clients` closed loops for `ms`; each starts a request every `intervalMs` (0: back to back). */
    async function load(ms: number, intervalMs: number): Promise<number[]> {
      const latencies: number[] = [];
      const end = performance.now() + ms;
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          let next = performance.now() + (intervalMs * c) / clients;
          while (performance.now() < end) {
            const wait = next - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const started = performance.now();
            await embed();
            latencies.push(performance.now() - started);
            next = Math.max(next + intervalMs, performance.now());
          }
        }),
      );
      return latencies;
    }

    await load(2000, 0); // warm up: models loaded, JIT warm
    const capacity = (await load(seconds * 1000, 0)).length / seconds;
    const interval = clients / (capacity / 2); // each client's pace for half the capacity overall
    console.log(`capacity ${capacity.toFixed(0)} requests/s of ${images} images with ${clients} clients; pacing at ${(capacity / 2).toFixed(0)}/s`);

    const rounds: { shadow: boolean; latencies: number[] }[] = [];
    for (const shadow of [false, true, false, true]) {
      await setShadow(database, "fm", shadow ? { version: 2, share: 1 } : null, "bench");
      serving.invalidate();
      await load(1000, interval * 1000); // the shadow's config and candidate model loaded
      rounds.push({ shadow, latencies: await load(seconds * 1000, interval * 1000) });
    }
    const of = (shadow: boolean) => rounds.filter((r) => r.shadow === shadow).flatMap((r) => r.latencies);
    const [without, withShadow] = [of(false), of(true)];
    const { mirrored, dropped, failed } = serving.shadows.counts;
    const row = (label: string, l: number[]) => [label, l.length, +(l.length / (2 * seconds)).toFixed(1), +percentile(l, 50).toFixed(2), +percentile(l, 99).toFixed(2)];
    printTable(`primary latency at half capacity (${images} images per request, ${clients} clients, 2 × ${seconds} s each)`, ["", "requests", "requests/s", "p50 ms", "p99 ms"], [row("no shadow", without), row("shadow (every request copied)", withShadow)]);
    const p99No = percentile(without, 99);
    const p99With = percentile(withShadow, 99);
    const droppedShare = mirrored + dropped + failed ? dropped / (mirrored + dropped + failed) : 0;
    console.log(`shadow: ${mirrored} copies compared, ${dropped} shed, ${failed} failed; p99 ratio ${(p99With / p99No).toFixed(3)} (target ≤ 1.10)`);
    printFigures({
      bench: "shadow",
      runtime: (await serving.embed("fm", bodies[0])).runtime,
      capacity_requests_per_s: Math.round(capacity),
      p50_ms_no_shadow: +percentile(without, 50).toFixed(2),
      p50_ms_with_shadow: +percentile(withShadow, 50).toFixed(2),
      p99_ms_no_shadow: +p99No.toFixed(2),
      p99_ms_with_shadow: +p99With.toFixed(2),
      p99_ratio: +(p99With / p99No).toFixed(3),
      shadow_dropped_share: +droppedShare.toFixed(4),
    });
  } finally {
    await serving.close();
    await database.close();
    await pg.drop();
  }
}
