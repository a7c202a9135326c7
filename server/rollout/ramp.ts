/**
 * A controlled ramp of a candidate version: while it runs it owns the deployment's flag (an
 * experiment "ramp-<id>" of baseline vs candidate at the step's share, so every user's outcomes are
 * attributed), advances when the step has lasted `minMinutes` and `minUsers` users saw the candidate,
 * and rolls back to the baseline at the first failing guardrail: the candidate's error rate or p99
 * latency past its limit, or an outcome metric whose always-valid (sequential) CI lies wholly on the
 * bad side. A rollback is automatic, audited, and emailed through the alert outbox. As with
 * GrowthBook's ramp schedules, a rollback wins over any hold or advance. Pause, resume, promote and
 * roll back are also manual actions.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { alertEmails, encoders, rampEvents, ramps, type RampCheck, type RampStatus } from "@/drizzle/schema";
import type { Database, DbOrTx } from "@/server/db";
import { query } from "@/server/db/sql";
import { recordAudit } from "@/server/auth/audit";
import { defaultSender } from "@/server/alerts/email";
import { publicUrl } from "@/server/public-url";
import { isUniqueViolation, notFound, PretextError } from "@/server/errors";
import { changeStage } from "@/server/registry/promotion";
import { getDeploymentByName, productionVersion, type DeploymentRow } from "@/server/serving/deployments";
import { idOf, metricKey } from "@/server/validation";
import { requireServable, setFlag } from "./flags";
import { experimentResults } from "./results";

export type RampRow = typeof ramps.$inferSelect;
export type RampEventRow = typeof rampEvents.$inferSelect;

export const rampId = idOf("a ramp", true);
export const rampActions = ["pause", "resume", "promote", "rollback"] as const;
export type RampAction = (typeof rampActions)[number];

/** Requests (or users) a guardrail needs before it can fail: fewer say nothing yet. */
const MIN_REQUESTS = 20;

const step = z
  .object({
    share: z.number({ error: "must be a share of users from 0 to 1" }).gt(0, "must be above 0").max(1, "must be at most 1"),
    minMinutes: z.number().min(0, "must be >= 0").max(43_200, "must be <= 43200 (30 days)").default(60),
    minUsers: z.number().int("must be an integer").min(0, "must be >= 0").max(10_000_000).default(100),
  })
  .strict();

export const rampInput = z
  .object({
    version: z.number({ error: "must be an encoder version (a positive integer)" }).int().positive("must be an encoder version (a positive integer)"),
    steps: z
      .array(step)
      .min(1, "must hold at least one step")
      .max(20, "must hold at most 20 steps")
      .refine((s) => s.every((x, i) => i === 0 || x.share > s[i - 1].share), "must raise the share at every step")
      .default([0.05, 0.25, 0.5, 1].map((share) => ({ share, minMinutes: 60, minUsers: 100 }))),
    guardrails: z
      .object({
        maxErrorRate: z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").nullable().default(0.01),
        maxP99Ms: z.number().positive("must be above 0").nullable().default(null),
        metrics: z.array(metricKey).max(20).default([]),
      })
      .strict()
      .default({ maxErrorRate: 0.01, maxP99Ms: null, metrics: [] }),
    recipients: z.array(z.email({ error: "must be an email address" })).max(50).default([]),
    sender: z.email({ error: "must be an email address" }).nullable().default(null),
  })
  .strict();
export type RampInput = z.output<typeof rampInput>;

const experimentKeyOf = (ramp: Pick<RampRow, "id">) => `ramp-${ramp.id}`;

/** The flag rules that serve the ramp at its current step. */
async function applyStep(database: Database, deployment: DeploymentRow, ramp: RampRow, actor: string): Promise<void> {
  const share = ramp.steps[ramp.stepIndex].share;
  await setFlag(
    database,
    deployment.name,
    { rules: [{ kind: "experiment", key: experimentKeyOf(ramp), versions: [ramp.baselineVersion, ramp.candidateVersion], weights: [1 - share, share], coverage: 1, hashAttribute: "id", seed: experimentKeyOf(ramp) }] },
    actor,
  );
}

async function logEvent(db: DbOrTx, ramp: RampRow, action: string, actor: string, detail = "", checks: RampCheck[] = []): Promise<RampEventRow> {
  const [event] = await db
    .insert(rampEvents)
    .values({ rampId: ramp.id, action, stepIndex: ramp.stepIndex, share: ramp.steps[ramp.stepIndex].share, actor, detail, checks })
    .returning();
  await recordAudit(db, actor, { action: `ramp.${action}`, objectType: "ramp", objectId: ramp.id, after: { status: ramp.status, stepIndex: ramp.stepIndex, share: ramp.steps[ramp.stepIndex].share }, detail });
  return event;
}

export async function startRamp(database: Database, deploymentName: string, input: RampInput, actor: string): Promise<RampRow> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const baseline = await productionVersion(database, deployment.encoderName);
  if (!baseline) throw new PretextError(409, `deployment ${deployment.name}: encoder ${deployment.encoderName} has no version in production to ramp from`);
  if (baseline.version === input.version) throw new PretextError(400, `version: ${deployment.encoderName} v${input.version} is the production version already`);
  await requireServable(database, deployment.encoderName, [input.version], "version");
  let ramp: RampRow;
  try {
    [ramp] = await database.db
      .insert(ramps)
      .values({ deploymentId: deployment.id, candidateVersion: input.version, baselineVersion: baseline.version, steps: input.steps, guardrails: input.guardrails, recipients: input.recipients, sender: input.sender, createdBy: actor })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw new PretextError(409, `deployment ${deployment.name} has a ramp in progress; pause, promote or roll it back first`);
    throw err;
  }
  try {
    await applyStep(database, deployment, ramp, actor);
  } catch (err) {
    await database.db.delete(ramps).where(eq(ramps.id, ramp.id));
    throw err;
  }
  await logEvent(database.db, ramp, "start", actor, `v${ramp.candidateVersion} against v${ramp.baselineVersion}`);
  return ramp;
}

export interface RampView {
  ramp: RampRow;
  events: RampEventRow[];
  /** the guardrails as they read now (running ramps) */
  checks: RampCheck[];
}

/** The deployment's latest ramp with its history and current guardrail readings, or null. */
export async function currentRamp(database: Database, deploymentName: string): Promise<RampView | null> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const [ramp] = await database.db.select().from(ramps).where(eq(ramps.deploymentId, deployment.id)).orderBy(desc(ramps.id)).limit(1);
  if (!ramp) return null;
  const events = await database.db.select().from(rampEvents).where(eq(rampEvents.rampId, ramp.id)).orderBy(desc(rampEvents.id));
  const checks = ramp.status === "running" || ramp.status === "paused" ? await guardrailChecks(database, deployment, ramp) : (events[0]?.checks ?? []);
  return { ramp, events, checks };
}

async function guardrailChecks(database: Database, deployment: DeploymentRow, ramp: RampRow): Promise<RampCheck[]> {
  const checks: RampCheck[] = [];
  const [candidate] = await database.db.select({ id: encoders.id }).from(encoders).where(and(eq(encoders.name, deployment.encoderName), eq(encoders.version, ramp.candidateVersion)));
  const [traffic] = await query<{ requests: number; failed: number; p99: number | null }>(
    database,
    `select count(*)::int as requests, (count(*) filter (where status >= 500))::int as failed,
            percentile_cont(0.99) within group (order by latency_ms) filter (where status = 200) as p99
       from inference_requests where deployment_id = $1 and encoder_id = $2 and at >= $3`,
    [deployment.id, candidate?.id ?? -1, ramp.createdAt],
  );
  const few = traffic.requests < MIN_REQUESTS ? `${traffic.requests} requests so far; a verdict needs ${MIN_REQUESTS}` : undefined;
  const { maxErrorRate, maxP99Ms, metrics } = ramp.guardrails;
  if (maxErrorRate !== null) {
    const rate = traffic.requests ? traffic.failed / traffic.requests : null;
    checks.push({ guardrail: "error rate", value: rate, limit: `≤ ${maxErrorRate}`, failed: !few && rate !== null && rate > maxErrorRate, ...(few ? { note: few } : {}) });
  }
  if (maxP99Ms !== null) {
    checks.push({ guardrail: "p99 latency (ms)", value: traffic.p99, limit: `≤ ${maxP99Ms}`, failed: !few && traffic.p99 !== null && traffic.p99 > maxP99Ms, ...(few ? { note: few } : {}) });
  }
  if (metrics.length) {
    const results = await experimentResults(database, deployment.name, experimentKeyOf(ramp));
    for (const key of metrics) {
      const metric = results.metrics.find((m) => m.key === key);
      const comparison = metric?.variations[1]?.comparison;
      if (!metric || !comparison || comparison.error) {
        checks.push({ guardrail: key, value: null, limit: "not significantly worse (sequential)", failed: false, note: metric ? (comparison?.error ?? "no users yet") : `no metric "${key}"` });
        continue;
      }
      const [lo, hi] = comparison.sequential!.ci;
      const worse = metric.goal === "increase" ? hi < 0 : lo > 0;
      checks.push({ guardrail: key, value: comparison.effect, limit: "not significantly worse (sequential)", failed: worse });
    }
  }
  return checks;
}

async function candidateUsers(database: Database, ramp: RampRow): Promise<number> {
  const [row] = await query<{ users: number }>(database, `select count(distinct user_id)::int as users from exposures where deployment_id = $1 and experiment_key = $2 and variation_id = 1 and at >= $3`, [
    ramp.deploymentId,
    experimentKeyOf(ramp),
    ramp.stepStartedAt,
  ]);
  return row.users;
}

/** One look at a running ramp: roll back, advance, complete, or hold. Returns what it did. */
export async function evaluateRamp(database: Database, ramp: RampRow, now = new Date()): Promise<"rolled_back" | "advanced" | "completed" | "held"> {
  const deployment = (await database.db.query.deployments.findFirst({ where: (d, { eq: is }) => is(d.id, ramp.deploymentId) }))!;
  const checks = await guardrailChecks(database, deployment, ramp);
  const failing = checks.filter((c) => c.failed);
  if (failing.length) {
    await rollback(database, deployment, ramp, "system", `guardrail failed: ${failing.map((c) => `${c.guardrail} ${c.value} (limit ${c.limit})`).join("; ")}`, checks);
    return "rolled_back";
  }
  const step = ramp.steps[ramp.stepIndex];
  const lasted = (now.getTime() - ramp.stepStartedAt.getTime()) / 60_000 >= step.minMinutes;
  if (!lasted || (await candidateUsers(database, ramp)) < step.minUsers) return "held";
  // only the ramp as it was read: a person may have paused or ended it meanwhile
  const unchanged = and(eq(ramps.id, ramp.id), eq(ramps.status, "running"), eq(ramps.stepIndex, ramp.stepIndex));
  if (ramp.stepIndex === ramp.steps.length - 1) {
    const [done] = await database.db.update(ramps).set({ status: "completed", updatedAt: now }).where(unchanged).returning();
    if (!done) return "held";
    await logEvent(database.db, done, "complete", "system", `v${ramp.candidateVersion} serves ${step.share * 100} % of users; promote it to make it production`, checks);
    return "completed";
  }
  const [next] = await database.db.update(ramps).set({ stepIndex: ramp.stepIndex + 1, stepStartedAt: now, updatedAt: now }).where(unchanged).returning();
  if (!next) return "held";
  await applyStep(database, deployment, next, "system");
  await logEvent(database.db, next, "advance", "system", `to ${next.steps[next.stepIndex].share * 100} %`, checks);
  return "advanced";
}

/** Every running ramp, looked at once (the minute tick). */
export async function evaluateRamps(database: Database, now = new Date()): Promise<void> {
  for (const ramp of await database.db.select().from(ramps).where(eq(ramps.status, "running"))) {
    await evaluateRamp(database, ramp, now).catch((err) => console.error(`ramp ${ramp.id}: ${(err as Error).message}`));
  }
}

async function rollback(database: Database, deployment: DeploymentRow, ramp: RampRow, actor: string, reason: string, checks: RampCheck[] = []): Promise<RampRow> {
  await setFlag(database, deployment.name, { rules: [] }, actor);
  return database.db.transaction(async (tx) => {
    const [done] = await tx
      .update(ramps)
      .set({ status: "rolled_back", updatedAt: new Date() })
      .where(and(eq(ramps.id, ramp.id), inArray(ramps.status, ["running", "paused", "completed"])))
      .returning();
    if (!done) throw new PretextError(409, `ramp ${ramp.id} has ended meanwhile`);
    const event = await logEvent(tx, done, "rollback", actor, reason, checks);
    if (done.recipients.length) {
      await tx.insert(alertEmails).values({
        rampEventId: event.id,
        sender: done.sender ?? defaultSender(),
        recipients: done.recipients,
        subject: `[Pretext] ramp of ${deployment.encoderName} v${done.candidateVersion} on ${deployment.name} rolled back`,
        body: [
          `The ramp of ${deployment.encoderName} v${done.candidateVersion} on deployment ${deployment.name} was rolled back at ${done.steps[done.stepIndex].share * 100} % of users by ${actor}.`,
          `Every user is served v${done.baselineVersion} (production) again.`,
          "",
          `Why: ${reason}`,
          "",
          "Guardrails:",
          ...checks.map((c) => `  ${c.guardrail.padEnd(20)} ${String(c.value ?? "—").padStart(12)}  (limit ${c.limit})${c.failed ? "  <-- failed" : ""}${c.note ? `  ${c.note}` : ""}`),
          "",
          `Rollout: ${publicUrl()}/deployments/${encodeURIComponent(deployment.name)}/rollout`,
        ].join("\n"),
      });
    }
    return done;
  });
}

/** Pause, resume, promote (the candidate becomes production; the flag is cleared) or roll back. */
export async function rampAction(database: Database, id: number, action: RampAction, actor: string): Promise<RampRow> {
  const [ramp] = await database.db.select().from(ramps).where(eq(ramps.id, id));
  if (!ramp) throw notFound("ramp", id);
  const deployment = (await database.db.query.deployments.findFirst({ where: (d, { eq: is }) => is(d.id, ramp.deploymentId) }))!;
  const allowed: Record<RampAction, RampStatus[]> = { pause: ["running"], resume: ["paused"], promote: ["running", "paused", "completed"], rollback: ["running", "paused", "completed"] };
  if (!allowed[action].includes(ramp.status)) throw new PretextError(409, `action: a ${ramp.status.replace("_", " ")} ramp cannot ${action}`);
  // the guardrails as they read when a person ended it, kept with the event
  const checks = action === "rollback" || action === "promote" ? await guardrailChecks(database, deployment, ramp) : [];
  if (action === "rollback") return rollback(database, deployment, ramp, actor, `rolled back by ${actor}`, checks);
  if (action === "promote") {
    const [candidate] = await database.db.select().from(encoders).where(and(eq(encoders.name, deployment.encoderName), eq(encoders.version, ramp.candidateVersion)));
    await changeStage(database, candidate.id, { stage: "production", reason: `ramp ${ramp.id} on ${deployment.name}` }, actor);
    await setFlag(database, deployment.name, { rules: [] }, actor);
  }
  const status: RampStatus = action === "pause" ? "paused" : action === "resume" ? "running" : "promoted";
  const [updated] = await database.db
    .update(ramps)
    .set({ status, updatedAt: new Date(), ...(action === "resume" ? { stepStartedAt: new Date() } : {}) })
    .where(and(eq(ramps.id, id), inArray(ramps.status, allowed[action])))
    .returning();
  if (!updated) throw new PretextError(409, `action: the ramp changed meanwhile; look again`);
  await logEvent(database.db, updated, action, actor, action === "pause" ? "holds the candidate at its current share" : "", checks);
  return updated;
}
