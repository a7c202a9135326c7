/**
 * Stage changes (staging, production, archived) with their record — who, when, why, and the gate
 * checks that allowed them — and the promotion gate each encoder name keeps.
 */
import { and, desc, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import { encoderGates, encoderStageChanges, encoders, encoderStages, type GateCheck } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { PretextError } from "@/server/errors";
import { labelEfficiencyCurve } from "@/server/services/benchmarks";
import { name } from "@/server/validation";
import { getEncoder, type EncoderRow } from "./encoders";
import { checkGate, gateRulesSchema, type GateRule, type MeasuredPoint } from "./gates";

export const stageChangeInput = z.object({
  stage: z.enum(encoderStages),
  reason: z.string().trim().min(1, "must say why the stage changes").max(10_000),
});
export type StageChange = z.output<typeof stageChangeInput>;

export const gateInput = z.object({ encoderName: name, rules: gateRulesSchema });
export type GateInput = z.output<typeof gateInput>;

export async function getGate({ db }: Database, encoderName: string) {
  const [row] = await db.select().from(encoderGates).where(eq(encoderGates.encoderName, encoderName));
  return row ?? null;
}

/** Sets (or, with no rules, clears) the gate of an encoder name; audited with the rules before and after. */
export async function setGate(database: Database, { encoderName, rules }: GateInput, actor: string) {
  const [known] = await database.db.select({ id: encoders.id }).from(encoders).where(eq(encoders.name, encoderName)).limit(1);
  if (!known) throw new PretextError(404, `encoder ${encoderName} not found`);
  return database.db.transaction(async (db) => {
    const [before] = await db.select().from(encoderGates).where(eq(encoderGates.encoderName, encoderName));
    const [row] = await db
      .insert(encoderGates)
      .values({ encoderName, rules, updatedBy: actor })
      .onConflictDoUpdate({ target: encoderGates.encoderName, set: { rules, updatedBy: actor, updatedAt: new Date() } })
      .returning();
    await recordAudit(db, actor, { action: "gate.set", objectType: "encoder", objectId: encoderName, before: before?.rules ?? null, after: rules });
    return row;
  });
}

/**
 * Versions whose results count for `encoder`: those registered from the same weights (an evaluation
 * registers the encoder it measures; a head added later makes a new version of the same weights).
 */
export async function sameWeights({ db }: Database, encoder: EncoderRow): Promise<number[]> {
  if (encoder.artifactId === null) return [encoder.id];
  const rows = await db.select({ id: encoders.id }).from(encoders).where(eq(encoders.artifactId, encoder.artifactId));
  return rows.map((r) => r.id);
}

/** The means over seeds a version's gate is checked against: its own and its baselines', per benchmark. */
export async function measuredPoints(database: Database, encoder: EncoderRow, rules: GateRule[]): Promise<{ points: MeasuredPoint[]; latestBenchmark: string | null }> {
  const points: MeasuredPoint[] = [];
  let latestBenchmark: string | null = null;
  const wanted = new Set(rules.map((r) => JSON.stringify([r.benchmark ?? null, r.metric])));
  for (const id of await sameWeights(database, encoder)) {
    for (const key of wanted) {
      const [benchmark, metric] = JSON.parse(key) as [string | null, string];
      const curve = await labelEfficiencyCurve(database, { encoderId: id, metric, ...(benchmark ? { benchmark } : {}) });
      if (!curve.benchmark) continue;
      if (!benchmark && id === encoder.id) latestBenchmark = curve.benchmark;
      latestBenchmark ??= curve.benchmark;
      for (const s of curve.series) for (const p of s.points) points.push({ benchmark: curve.benchmark, metric, method: s.method, labelFraction: p.labelFraction, mean: p.mean, n: p.n });
    }
  }
  return { points, latestBenchmark };
}

/** The gate checks of a version now (what promoting it would find). */
export async function gateChecks(database: Database, encoder: EncoderRow): Promise<GateCheck[]> {
  const gate = await getGate(database, encoder.name);
  if (!gate || gate.rules.length === 0) return [];
  const { points, latestBenchmark } = await measuredPoints(database, encoder, gate.rules);
  return checkGate(gate.rules, points, latestBenchmark);
}

/**
 * Moves a version to `stage`. Production is refused (409, with every failing check) unless the
 * version has a model to serve and meets its name's gate; the version it replaces is archived. Each
 * change is recorded.
 */
export async function changeStage(database: Database, id: number, { stage, reason }: StageChange, who: string): Promise<EncoderRow> {
  const encoder = await getEncoder(database, id);
  if (encoder.stage === stage) throw new PretextError(409, `stage: ${encoder.name} v${encoder.version} is already in ${stage}`);
  let checks: GateCheck[] = [];
  if (stage === "production") {
    if (!encoder.onnxArtifactId || !encoder.modelSpec) throw new PretextError(409, `stage: ${encoder.name} v${encoder.version} has no model to serve (register it from an encoder file or an ONNX model)`);
    checks = await gateChecks(database, encoder);
    const failed = checks.filter((c) => !c.passed);
    if (failed.length) throw new PretextError(409, `stage: ${encoder.name} v${encoder.version} does not meet its promotion gate: ${failed.map((c) => c.detail).join("; ")}`);
  }
  return database.db.transaction(async (db) => {
    if (stage === "production") {
      const replaced = await db
        .update(encoders)
        .set({ stage: "archived" })
        .where(and(eq(encoders.name, encoder.name), eq(encoders.stage, "production"), ne(encoders.id, id)))
        .returning();
      if (replaced.length) {
        await db.insert(encoderStageChanges).values(
          replaced.map((r) => ({ encoderId: r.id, fromStage: "production" as const, toStage: "archived" as const, actor: who, reason: `replaced by v${encoder.version}: ${reason}` })),
        );
        for (const r of replaced) {
          await recordAudit(db, who, { action: "encoder.stage", objectType: "encoder", objectId: r.id, before: { stage: "production" }, after: { stage: "archived" }, detail: `${r.name} v${r.version} replaced by v${encoder.version}` });
        }
      }
    }
    const [updated] = await db.update(encoders).set({ stage }).where(eq(encoders.id, id)).returning();
    await db.insert(encoderStageChanges).values({ encoderId: id, fromStage: encoder.stage, toStage: stage, actor: who, reason, gateChecks: checks });
    await recordAudit(db, who, { action: "encoder.stage", objectType: "encoder", objectId: id, before: { stage: encoder.stage }, after: { stage, gateChecks: checks }, detail: `${encoder.name} v${encoder.version}: ${reason}` });
    return updated;
  });
}

export async function stageHistory({ db }: Database, encoderIds: number[]) {
  if (encoderIds.length === 0) return [];
  return db.select().from(encoderStageChanges).where(inArray(encoderStageChanges.encoderId, encoderIds)).orderBy(desc(encoderStageChanges.id));
}
