/**
 * The encoder registry: versions per name (1, 2, …) with lineage to the run, artifact and dataset,
 * and the ONNX model that serving loads (exported from a Pretext encoder file, or imported).
 */
import { recordAudit } from "@/server/auth/audit";
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { artifacts, datasets, encoders } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError, isUniqueViolation, notFound, PretextError } from "@/server/errors";
import { getArtifact, readArtifactBytes, uploadArtifact } from "@/server/services/artifacts";
import { getRun } from "@/server/services/runs";
import { checkSpecAgainstModel, inspectOnnx } from "@/server/serving/onnx-model";
import { artifactName as artifactNameSchema, idOf, MAX_ID, name } from "@/server/validation";
import { modelSpecSchema, pretextModelSpec, type ModelSpec } from "./model-spec";
import { exportToOnnx } from "./onnx-export";
import { isTensorFile, readTensorFile } from "./tensor-file-format";

export type EncoderRow = typeof encoders.$inferSelect;

/** A run's artifact, by the rules its name was stored under (so a bad one is named as this field, not as the artifact's "name"). */
const artifactRef = artifactNameSchema;

export const encoderRegistration = z.object({
  name,
  /** The run that produced the encoder (its lineage). */
  runId: idOf("a run"),
  /** The run's artifact holding the model: a Pretext encoder file ("encoder.ptx") or an ONNX model. */
  artifactName: artifactRef.optional(),
  /** A classification head fitted by an evaluation run, served with a Pretext encoder. */
  head: z.object({ runId: idOf("a run"), artifactName: artifactRef.default("head.ptx") }).optional(),
  /** How to call an ONNX model (its input shape, layout, preprocessing, names); Pretext files carry their own. */
  modelSpec: modelSpecSchema.optional(),
  /** A registered dataset's name: what it was trained on. */
  datasetName: z.string().min(1).max(200).optional(),
  /** How to rebuild it; read from a Pretext encoder file when left out. */
  architecture: z.string().min(1).max(10_000).optional(),
  embeddingDim: z.number().int().positive().max(MAX_ID, `must be at most ${MAX_ID}`).optional(),
  description: z.string().max(10_000).default(""),
});
export type EncoderRegistration = z.input<typeof encoderRegistration>;

/** What a registration's artifact holds: a Pretext encoder (exported to ONNX here) or an ONNX model. */
interface ModelFile {
  format: EncoderRow["format"];
  architecture: string;
  embeddingDim: number;
  spec: ModelSpec;
  /** the ONNX bytes to store, when they are not the registered artifact itself */
  exported?: Uint8Array;
}

async function readModelFile(database: Database, data: z.output<typeof encoderRegistration>, bytes: Uint8Array): Promise<ModelFile> {
  if (isTensorFile(bytes)) {
    if (data.modelSpec) throw badInput("modelSpec: a Pretext encoder file carries its own; give modelSpec for ONNX models only");
    const { meta } = readTensorFile<{ kind?: string; encoder?: unknown; inputShape?: number[]; outDim?: number }>(bytes);
    if (meta?.kind !== "pretext-encoder" || !meta.inputShape || !meta.outDim) throw badInput(`artifactName: ${data.artifactName} is not a Pretext encoder file (kind ${JSON.stringify(meta?.kind)})`);
    const head = data.head ? await readArtifactBytes(database, data.head.runId, data.head.artifactName) : undefined;
    return {
      format: "pretext",
      architecture: JSON.stringify(meta.encoder),
      embeddingDim: meta.outDim,
      spec: pretextModelSpec(meta.inputShape, head !== undefined),
      exported: exportToOnnx(bytes, head),
    };
  }
  let summary: ReturnType<typeof inspectOnnx>;
  try {
    summary = inspectOnnx(bytes);
  } catch (err) {
    // "file: not an ONNX model (…)": the file is the registration's artifactName
    if (err instanceof PretextError && err.message.startsWith("file: ")) throw badInput(`artifactName: ${data.artifactName} is ${err.message.slice("file: ".length)}`);
    throw err;
  }
  if (data.head) throw badInput("head: only a Pretext encoder takes a head from an evaluation; an ONNX model brings its own outputs");
  if (!data.modelSpec) throw badInput("modelSpec: required for an ONNX model (its input shape, layout and preprocessing)");
  const spec = data.modelSpec;
  checkSpecAgainstModel(spec, summary);
  const out = summary.outputs.find((o) => o.name === spec.embeddingOutput)!;
  const dim = out.shape?.length === 2 && typeof out.shape[1] === "number" ? out.shape[1] : data.embeddingDim;
  if (!dim) throw badInput(`embeddingDim: required, the model's output ${spec.embeddingOutput} has no fixed size ([${out.shape ?? "unknown"}])`);
  return { format: "onnx", architecture: data.architecture ?? `onnx model from ${summary.producer || "an unknown producer"}, opset ${summary.opset}`, embeddingDim: dim, spec };
}

/**
 * Registers a new version of the encoder `name`: version = 1 + the highest so far, computed in the
 * insert itself; two registrations racing for the same number make one retry with the next. A
 * Pretext encoder is exported to ONNX (stored on its run as "exports/<name>-v<version>.onnx"); an
 * ONNX model is checked against its modelSpec. Nothing is stored when either fails.
 */
export async function registerEncoder(database: Database, input: EncoderRegistration, actor = "system"): Promise<EncoderRow> {
  const row = await registerVersion(database, input);
  const { name, version, format, runId, artifactId, headArtifactId } = row;
  await recordAudit(database.db, actor, { action: "encoder.register", objectType: "encoder", objectId: row.id, after: { name, version, format, runId, artifactId, headArtifactId } });
  return row;
}

async function registerVersion(database: Database, input: EncoderRegistration): Promise<EncoderRow> {
  const parsed = encoderRegistration.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const data = parsed.data;
  await getRun(database, data.runId);
  let artifactId: number | null = null;
  let file: ModelFile | null = null;
  if (data.artifactName) {
    artifactId = (await getArtifact(database, data.runId, data.artifactName)).id;
    file = await readModelFile(database, data, await readArtifactBytes(database, data.runId, data.artifactName));
  } else if (!data.architecture || !data.embeddingDim) {
    throw badInput("artifactName: required (or give architecture and embeddingDim for an encoder without weights)");
  }
  if (file && data.embeddingDim && data.embeddingDim !== file.embeddingDim) {
    throw badInput(`embeddingDim: ${data.embeddingDim} disagrees with the model, whose embeddings have ${file.embeddingDim} dimensions`);
  }
  let datasetId: number | null = null;
  if (data.datasetName) {
    const [dataset] = await database.db.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, data.datasetName));
    if (!dataset) throw notFound("dataset", data.datasetName);
    datasetId = dataset.id;
  }
  const headArtifactId = data.head ? (await getArtifact(database, data.head.runId, data.head.artifactName)).id : null;
  const row = await insertVersion(database, {
    name: data.name,
    runId: data.runId,
    artifactId,
    datasetId,
    architecture: file?.architecture ?? data.architecture!,
    embeddingDim: file?.embeddingDim ?? data.embeddingDim!,
    description: data.description,
    format: file?.format ?? "pretext",
    modelSpec: file?.spec ?? null,
    onnxArtifactId: file?.format === "onnx" ? artifactId : null,
    headArtifactId,
  });
  if (!file?.exported) return row;
  try {
    const onnx = await uploadArtifact(database, data.runId, `exports/${row.name.replace(/[^A-Za-z0-9_.-]/g, "_")}-v${row.version}.onnx`, "onnx", file.exported, { overwrite: true });
    const [updated] = await database.db.update(encoders).set({ onnxArtifactId: onnx.id }).where(eq(encoders.id, row.id)).returning();
    return updated;
  } catch (err) {
    await database.db.delete(encoders).where(eq(encoders.id, row.id));
    throw err;
  }
}

async function insertVersion(database: Database, values: Omit<typeof encoders.$inferInsert, "version">): Promise<EncoderRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await database.db
        .insert(encoders)
        .values({ ...values, version: sql`(select coalesce(max(${encoders.version}), 0) + 1 from ${encoders} where ${encoders.name} = ${values.name})` })
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

/** Where a registered encoder's weights are (an ONNX encoder's: its model): its run and artifact name; 409 when it has none. */
export async function encoderWeightsArtifact(database: Database, id: number): Promise<{ encoder: EncoderRow; runId: number; artifactName: string }> {
  const encoder = await getEncoder(database, id);
  const artifactId = encoder.format === "onnx" ? encoder.onnxArtifactId : encoder.artifactId;
  const [artifact] = artifactId === null ? [] : await database.db.select().from(artifacts).where(eq(artifacts.id, artifactId));
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
