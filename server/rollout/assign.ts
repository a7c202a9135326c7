/**
 * The inference path's side of a deployment's flag: per request, the GrowthBook SDK evaluates the
 * deployment's feature for the caller's attributes (a scoped instance of one GrowthBookClient per
 * deployment, refreshed from the database at most once a second), and its tracking callback hands
 * each experiment exposure to the request log, which writes them in bulk.
 */
import { GrowthBookClient, type FeatureApiResponse } from "@growthbook/growthbook";
import { and, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { encoders, exposures } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError } from "@/server/errors";
import type { DeploymentRow } from "@/server/serving/deployments";
import { flagPayload, getFlag } from "./flags";

export type ExposureRecord = typeof exposures.$inferInsert;

export interface Assignment {
  encoderId: number;
  version: number;
  /** the experiment the user is in, when a rule assigned them by one */
  experiment: { key: string; variationId: number } | null;
}

/** The request header that carries the user id (GrowthBook's default hash attribute, "id"). */
export const USER_HEADER = "x-pretext-user";

const attributeValue = z.union([z.string().max(500, "must be at most 500 characters"), z.number(), z.boolean()], { error: "must be a string, number or boolean" });
const attributesSchema = z.record(z.string().max(100, "must be at most 100 characters"), attributeValue).refine((a) => Object.keys(a).length <= 20, "must hold at most 20 attributes");

/** The caller's attributes: the user header as `id`, and the body's `attributes` object. */
export function requestAttributes(user: string | null, body: unknown): Record<string, string | number | boolean> {
  const given = (body as { attributes?: unknown } | null)?.attributes;
  let attributes: Record<string, string | number | boolean> = {};
  if (given !== undefined) {
    const parsed = attributesSchema.safeParse(given);
    if (!parsed.success) throw badInput(describeZodError(parsed.error).replace(/^(\(root\)|)/, "attributes").replace(/^attributes(?=[^:.])/, "attributes."));
    attributes = parsed.data;
  }
  if (user !== null) {
    if (user.length > 500) throw badInput(`${USER_HEADER}: must be at most 500 characters`);
    attributes = { ...attributes, id: user };
  }
  return attributes;
}

interface DeploymentState {
  at: number;
  client: GrowthBookClient | null;
  /** encoder id of each servable version the rules name */
  ids: Map<number, number>;
}

/** How long a deployment's rules are reused before the database is asked again. */
const TTL_MS = 1000;

export class FlagEvaluator {
  private states = new Map<number, Promise<DeploymentState>>();
  private stamps = new Map<number, number>();

  constructor(
    private readonly database: Database,
    private readonly onExposure: (exposure: ExposureRecord) => void,
  ) {}

  /** The version the flag gives this caller, or null when the deployment has no rules (its production version serves). */
  async assign(deployment: DeploymentRow, attributes: Record<string, unknown>): Promise<Assignment | null> {
    const state = await this.state(deployment);
    if (!state.client) return null;
    const result = state.client.createScopedInstance({ attributes }).evalFeature<number | null>(deployment.name);
    const version = typeof result.value === "number" ? result.value : null;
    if (version === null || !state.ids.has(version)) return null;
    const experiment = result.source === "experiment" && result.experiment && result.experimentResult ? { key: result.experiment.key, variationId: result.experimentResult.variationId } : null;
    return { encoderId: state.ids.get(version)!, version, experiment };
  }

  /** Encoder ids any deployment's rules may serve (kept loaded). */
  async referencedEncoderIds(): Promise<Set<number>> {
    const ids = new Set<number>();
    for (const pending of this.states.values()) {
      const state = await pending.catch(() => null);
      for (const id of state?.ids.values() ?? []) ids.add(id);
    }
    return ids;
  }

  invalidate(): void {
    this.stamps.clear();
  }

  private state(deployment: DeploymentRow): Promise<DeploymentState> {
    const cached = this.states.get(deployment.id);
    const at = this.stamps.get(deployment.id);
    if (cached && at !== undefined && performance.now() - at < TTL_MS) return cached;
    const loading = this.load(deployment);
    this.states.set(deployment.id, loading);
    this.stamps.set(deployment.id, performance.now());
    loading.catch(() => this.stamps.delete(deployment.id));
    return loading;
  }

  private async load(deployment: DeploymentRow): Promise<DeploymentState> {
    const flag = await getFlag(this.database, deployment);
    if (!flag || flag.rules.length === 0) return { at: performance.now(), client: null, ids: new Map() };
    const payload: FeatureApiResponse = await flagPayload(this.database, deployment, flag);
    const versions = await this.database.db
      .select({ id: encoders.id, version: encoders.version })
      .from(encoders)
      .where(and(eq(encoders.name, deployment.encoderName), isNotNull(encoders.onnxArtifactId)));
    const client = new GrowthBookClient({
      trackingCallback: (experiment, result) => {
        this.onExposure({
          deploymentId: deployment.id,
          experimentKey: experiment.key,
          variationId: result.variationId,
          version: Number(result.value),
          userId: String(result.hashValue),
          at: new Date(),
        });
      },
    }).initSync({ payload });
    return { at: performance.now(), client, ids: new Map(versions.map((v) => [v.version, v.id])) };
  }
}
