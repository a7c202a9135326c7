/**
 * A deployment's feature flag: which encoder version each request gets, with GrowthBook's rule
 * semantics (first matching rule wins; force with coverage; experiments with variations, weights,
 * coverage and seed; hashing by an attribute, hashVersion 2). Stored as Pretext's own rules and
 * served to GrowthBook SDKs as the payload of an SDK connection (GET /api/features/:clientKey), so
 * an SDK in any language assigns users exactly as the inference path does.
 */
import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { GrowthBookClient, type FeatureApiResponse, type FeatureRule } from "@growthbook/growthbook";
import { z } from "zod";
import { deploymentFlags, deployments, encoders, type FlagRule } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { recordAudit } from "@/server/auth/audit";
import { notFound, PretextError } from "@/server/errors";
import { getDeploymentByName, productionVersion, type DeploymentRow } from "@/server/serving/deployments";
import { name } from "@/server/validation";

export type FlagRow = typeof deploymentFlags.$inferSelect;

const version = z.number({ error: "must be an encoder version (a positive integer)" }).int("must be an encoder version (a positive integer)").positive("must be an encoder version (a positive integer)");
const share = (what: string) => z.number({ error: `must be a ${what} from 0 to 1` }).min(0, `must be a ${what} from 0 to 1`).max(1, `must be a ${what} from 0 to 1`);
const attribute = z.string().min(1, "must not be empty").max(100, "must be at most 100 characters").regex(/^[A-Za-z_][\w.-]*$/, "must be an attribute name (letters, digits, _ . -)");
const seed = z.string().max(200, "must be at most 200 characters").nullable().default(null);

export const flagRuleInput = z.discriminatedUnion(
  "kind",
  [
    z
      .object({ kind: z.literal("force"), version, coverage: share("share of users").default(1), hashAttribute: attribute.default("id"), seed })
      .strict(),
    z
      .object({
        kind: z.literal("experiment"),
        key: name,
        versions: z
          .array(version)
          .min(2, "must list at least two versions (the first is the control)")
          .max(10, "must list at most 10 versions")
          .refine((v) => new Set(v).size === v.length, "must not repeat a version"),
        weights: z.array(share("weight")).optional(),
        coverage: share("share of users").default(1),
        hashAttribute: attribute.default("id"),
        seed,
      })
      .strict()
      .superRefine((r, ctx) => {
        if (!r.weights) return;
        if (r.weights.length !== r.versions.length) ctx.addIssue({ code: "custom", path: ["weights"], message: `must hold one weight per version (${r.versions.length})` });
        const sum = r.weights.reduce((a, b) => a + b, 0);
        if (sum < 0.99 || sum > 1.01) ctx.addIssue({ code: "custom", path: ["weights"], message: `must sum to 1, got ${+sum.toFixed(6)}` });
      }),
  ],
  { error: 'must be {"kind": "force", "version", ...} or {"kind": "experiment", "key", "versions", ...}' },
);

export const flagInput = z.object({ rules: z.array(flagRuleInput).max(20, "must hold at most 20 rules") }).strict();
export type FlagInput = z.output<typeof flagInput>;

/** Rules as stored: ids and equal weights filled in. */
function toStored(rules: FlagInput["rules"]): FlagRule[] {
  return rules.map((r, i) =>
    r.kind === "force"
      ? { ...r, id: `r${i}` }
      : { ...r, id: `r${i}`, weights: r.weights ?? r.versions.map(() => 1 / r.versions.length) },
  );
}

/** Refuses (400 on `field`) versions of `encoderName` that are not registered with an ONNX model to serve. */
export async function requireServable(database: Database, encoderName: string, versions: number[], field: string): Promise<void> {
  if (!versions.length) return;
  const found = await database.db
    .select({ version: encoders.version })
    .from(encoders)
    .where(and(eq(encoders.name, encoderName), inArray(encoders.version, versions), isNotNull(encoders.onnxArtifactId)));
  const missing = versions.filter((v) => !found.some((f) => f.version === v));
  if (missing.length) throw new PretextError(400, `${field}: encoder ${encoderName} has no servable version ${missing.join(", ")} (registered, with an ONNX model)`);
}

/** Sets a deployment's rules (admin); every version they name must exist and have an ONNX model to serve. */
export async function setFlag(database: Database, deploymentName: string, input: FlagInput, actor: string): Promise<FlagRow> {
  const deployment = await getDeploymentByName(database, deploymentName);
  await requireServable(database, deployment.encoderName, [...new Set(input.rules.flatMap((r) => (r.kind === "force" ? [r.version] : r.versions)))], "rules");
  return database.db.transaction(async (db) => {
    const [before] = await db.select().from(deploymentFlags).where(eq(deploymentFlags.deploymentId, deployment.id)).for("update");
    const values = { rules: toStored(input.rules), updatedBy: actor, updatedAt: new Date() };
    const [after] = before
      ? await db.update(deploymentFlags).set(values).where(eq(deploymentFlags.deploymentId, deployment.id)).returning()
      : await db
          .insert(deploymentFlags)
          .values({ ...values, deploymentId: deployment.id, clientKey: `sdk-${randomBytes(12).toString("base64url")}` })
          .returning();
    await recordAudit(db, actor, { action: "flag.set", objectType: "deployment", objectId: deployment.name, before: before?.rules ?? null, after: after.rules });
    return after;
  });
}

export async function getFlag(database: Database, deployment: DeploymentRow): Promise<FlagRow | null> {
  const [row] = await database.db.select().from(deploymentFlags).where(eq(deploymentFlags.deploymentId, deployment.id));
  return row ?? null;
}

/** The GrowthBook feature of a deployment: its key is the deployment's name, its value an encoder version. */
export function featureDefinition(rules: FlagRule[], defaultVersion: number | null): { defaultValue: number | null; rules: FeatureRule[] } {
  return {
    defaultValue: defaultVersion,
    rules: rules.map((r): FeatureRule => {
      const common = { id: r.id, coverage: r.coverage, hashAttribute: r.hashAttribute, hashVersion: 2, ...(r.seed !== null ? { seed: r.seed } : {}) };
      if (r.kind === "force") return { ...common, force: r.version };
      return { ...common, key: r.key, variations: r.versions, weights: r.weights, meta: r.versions.map((v) => ({ key: `v${v}`, name: `version ${v}` })) };
    }),
  };
}

/** The SDK connection payload of a deployment (FeatureApiResponse). */
export async function flagPayload(database: Database, deployment: DeploymentRow, flag: FlagRow | null): Promise<FeatureApiResponse> {
  const production = await productionVersion(database, deployment.encoderName);
  return {
    features: { [deployment.name]: featureDefinition(flag?.rules ?? [], production?.version ?? null) },
    dateUpdated: (flag?.updatedAt ?? deployment.createdAt).toISOString(),
  };
}

/** GET /api/features/:clientKey: the payload of the deployment whose SDK connection has that key. */
export async function payloadForClientKey(database: Database, clientKey: string): Promise<FeatureApiResponse> {
  const [row] = await database.db
    .select({ flag: deploymentFlags, deployment: deployments })
    .from(deploymentFlags)
    .innerJoin(deployments, eq(deployments.id, deploymentFlags.deploymentId))
    .where(eq(deploymentFlags.clientKey, clientKey));
  if (!row) throw notFound("SDK connection", JSON.stringify(clientKey.slice(0, 100)));
  return flagPayload(database, row.deployment, row.flag);
}

export const assignInput = z
  .object({
    users: z.array(z.string().min(1, "must not be empty").max(500, "must be at most 500 characters")).min(1, "must name at least one user").max(10_000, "must name at most 10000 users"),
    attributes: z.record(z.string().max(100), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
  })
  .strict();

/**
 * Which version the flag gives each user (as the inference path would, with the same SDK and payload),
 * without serving anything or recording exposures.
 */
export async function previewAssignments(database: Database, deploymentName: string, input: z.output<typeof assignInput>): Promise<{ user: string; version: number | null; experiment: { key: string; variationId: number } | null }[]> {
  const deployment = await getDeploymentByName(database, deploymentName);
  const client = new GrowthBookClient().initSync({ payload: await flagPayload(database, deployment, await getFlag(database, deployment)) });
  return input.users.map((user) => {
    const result = client.evalFeature<number | null>(deployment.name, { attributes: { ...input.attributes, id: user } });
    const experiment = result.source === "experiment" && result.experiment && result.experimentResult ? { key: result.experiment.key, variationId: result.experimentResult.variationId } : null;
    return { user, version: typeof result.value === "number" ? result.value : null, experiment };
  });
}
