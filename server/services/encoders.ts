/** The encoder registry: versions per name (1, 2, …) with lineage to the run, artifact and dataset. */
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { artifacts, datasets, encoders } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError, notFound, PretextError } from "@/server/errors";
import { idOf, MAX_ID, name } from "@/server/validation";
import { getArtifact } from "./artifacts";
import { getRun } from "./runs";

export type EncoderRow = typeof encoders.$inferSelect;

export const encoderRegistration = z.object({
  name,
  /** The run that produced the encoder (its lineage). */
  runId: idOf("a run"),
  /** The artifact of that run holding the weights, e.g. "encoder.ptx". */
  artifactName: z.string().min(1).max(255).optional(),
  /** A registered dataset's name: what it was trained on. */
  datasetName: z.string().min(1).max(200).optional(),
  /** How to rebuild it, e.g. the encoder config as JSON. */
  architecture: z.string().min(1).max(10_000),
  embeddingDim: z.number().int().positive(),
  description: z.string().max(10_000).default(""),
});
export type EncoderRegistration = z.input<typeof encoderRegistration>;

const UNIQUE_VIOLATION = "23505";
const isUniqueViolation = (err: unknown) =>
  [err, (err as { cause?: unknown })?.cause].some((e) => (e as { code?: string } | undefined)?.code === UNIQUE_VIOLATION);

/**
 * Registers a new version of the encoder `name`: version = 1 + the highest so far, computed in the
 * insert itself; two registrations racing for the same number make one retry with the next.
 */
export async function registerEncoder(database: Database, input: EncoderRegistration): Promise<EncoderRow> {
  const parsed = encoderRegistration.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const data = parsed.data;
  await getRun(database, data.runId);
  const artifactId = data.artifactName ? (await getArtifact(database, data.runId, data.artifactName)).id : null;
  let datasetId: number | null = null;
  if (data.datasetName) {
    const [dataset] = await database.db.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, data.datasetName));
    if (!dataset) throw notFound("dataset", data.datasetName);
    datasetId = dataset.id;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await database.db
        .insert(encoders)
        .values({
          name: data.name,
          version: sql`(select coalesce(max(${encoders.version}), 0) + 1 from ${encoders} where ${encoders.name} = ${data.name})`,
          runId: data.runId,
          artifactId,
          datasetId,
          architecture: data.architecture,
          embeddingDim: data.embeddingDim,
          description: data.description,
        })
        .returning();
      return row;
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 9) throw err;
    }
  }
}

export async function getEncoder({ db }: Database, id: number): Promise<EncoderRow> {
  const [row] = Number.isInteger(id) && id > 0 && id <= MAX_ID ? await db.select().from(encoders).where(eq(encoders.id, id)) : [];
  if (!row) throw notFound("encoder", id);
  return row;
}

/** Where a registered encoder's weights are: its run and artifact name; 409 when it has none. */
export async function encoderWeightsArtifact(database: Database, id: number): Promise<{ encoder: EncoderRow; runId: number; artifactName: string }> {
  const encoder = await getEncoder(database, id);
  const [artifact] = encoder.artifactId === null ? [] : await database.db.select().from(artifacts).where(eq(artifacts.id, encoder.artifactId));
  if (!artifact) throw new PretextError(409, `encoder ${id} (${encoder.name} v${encoder.version}) has no weights artifact`);
  return { encoder, runId: artifact.runId, artifactName: artifact.name };
}

/** Encoders, newest version first; optionally only the versions of one name. */
export async function listEncoders({ db }: Database, filter: { name?: string } = {}): Promise<EncoderRow[]> {
  return db
    .select()
    .from(encoders)
    .where(filter.name ? eq(encoders.name, filter.name) : undefined)
    .orderBy(encoders.name, desc(encoders.version));
}
