/**
 * Alert emails: what a firing rule says, and the mailer that sends the outbox through SMTP
 * (nodemailer, `SMTP_URL`, e.g. smtp://user:pass@mail.example.com:587). A failed send stays in the
 * outbox and is retried with exponential back-off (30 s, 1 min, 2 min, … at most an hour apart);
 * after MAX_ATTEMPTS it is marked failed, still visible in the alert history.
 */
import { and, asc, eq, lte } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";
import { alertEmails } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { breaches, FIGURES } from "@/server/drift/figures";
import type { DriftResultRow, MonitorView } from "@/server/drift/monitors";
import { publicUrl } from "@/server/public-url";
import type { AlertRuleRow } from "./rules";

export const MAX_ATTEMPTS = 12;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 3_600_000;

export const defaultSender = () => process.env.PRETEXT_MAIL_FROM || "pretext@localhost";

export function monitorPath(deployment: string, monitorId: number): string {
  return `/deployments/${encodeURIComponent(deployment)}/monitors/${monitorId}`;
}

const format = (v: number) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(3) : String(Number(v.toPrecision(4))));

export interface AlertContext {
  rule: Pick<AlertRuleRow, "name" | "figure" | "direction" | "threshold" | "consecutive">;
  monitor: Pick<MonitorView, "id" | "name" | "deployment" | "target">;
  result: Pick<DriftResultRow, "windowIndex" | "windowStart" | "windowEnd" | "figures" | "currentSamples" | "referenceSamples">;
  since: Date;
  encoder: { name: string; version: number } | null;
}

export function alertEmail({ rule, monitor, result, since, encoder }: AlertContext): { subject: string; body: string } {
  const what = monitor.target === "input" ? "inputs" : "embeddings";
  const value = result.figures[rule.figure];
  const op = rule.direction === "above" ? ">" : "<";
  const subject = `[Pretext] drift on ${monitor.deployment}: ${what} ${rule.figure} ${format(value)} ${op} ${format(rule.threshold)}`;
  const rows = Object.entries(result.figures).map(([figure, v]) => {
    const level = figure === rule.figure ? rule : FIGURES[figure]?.verdict;
    const past = level && breaches(v, level) ? "  <-- past threshold" : "";
    const against = level ? `  (threshold ${level.direction === "above" ? ">" : "<"} ${format(level.threshold)})` : "";
    return `  ${figure.padEnd(20)} ${format(v).padStart(10)}${against}${past}`;
  });
  const body = [
    `Alert "${rule.name}" is firing: the ${what} served by deployment ${monitor.deployment}${encoder ? ` (encoder ${encoder.name} v${encoder.version})` : ""} drifted from the reference of monitor "${monitor.name}".`,
    "",
    `${rule.figure} was ${format(value)}, ${rule.direction} the threshold of ${format(rule.threshold)}, for ${rule.consecutive} window${rule.consecutive === 1 ? "" : "s"} in a row.`,
    `Since: ${since.toISOString()} (window ${result.windowIndex} ended ${result.windowEnd.toISOString()}; ${result.currentSamples} samples against ${result.referenceSamples} in the reference).`,
    "",
    "Figures of the last window:",
    ...rows,
    "",
    `Monitor: ${publicUrl()}${monitorPath(monitor.deployment, monitor.id)}`,
    "",
    "This alert emails once per episode; the rule resolves by itself when the figure is back within its threshold.",
  ].join("\n");
  return { subject, body };
}

let transport: { url: string; transporter: Transporter } | null = null;

function transporter(): Transporter | null {
  const url = process.env.SMTP_URL;
  if (!url) return null;
  if (transport?.url !== url) transport = { url, transporter: nodemailer.createTransport(url) };
  return transport.transporter;
}

export const retryDelayMs = (attempts: number) => Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));

/** Sends every email whose time has come; returns how many went out and how many failed this time. */
export async function sendPendingEmails(database: Database, now = new Date()): Promise<{ sent: number; failed: number }> {
  const due = await database.db
    .select()
    .from(alertEmails)
    .where(and(eq(alertEmails.status, "pending"), lte(alertEmails.nextAttemptAt, now)))
    .orderBy(asc(alertEmails.id))
    .limit(100);
  let sent = 0;
  let failed = 0;
  for (const email of due) {
    // claim it: another mailer that read the same row finds its attempt counted and skips it
    const [claimed] = await database.db
      .update(alertEmails)
      .set({ attempts: email.attempts + 1, nextAttemptAt: new Date(now.getTime() + retryDelayMs(email.attempts + 1)) })
      .where(and(eq(alertEmails.id, email.id), eq(alertEmails.attempts, email.attempts), eq(alertEmails.status, "pending")))
      .returning();
    if (!claimed) continue;
    try {
      const smtp = transporter();
      if (!smtp) throw new Error("SMTP_URL is not set");
      await smtp.sendMail({ from: email.sender, to: email.recipients, subject: email.subject, text: email.body });
      await database.db.update(alertEmails).set({ status: "sent", sentAt: new Date(), lastError: null }).where(eq(alertEmails.id, email.id));
      sent++;
    } catch (err) {
      failed++;
      await database.db
        .update(alertEmails)
        .set({ lastError: (err as Error).message.slice(0, 2000), ...(claimed.attempts >= MAX_ATTEMPTS ? { status: "failed" as const } : {}) })
        .where(eq(alertEmails.id, email.id));
    }
  }
  return { sent, failed };
}
