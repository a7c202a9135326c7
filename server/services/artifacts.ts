/** Artifacts of a run: validated names, bytes in the artifact store, sha256 and size in the database. */
import path from "node:path";
import { Readable } from "node:stream";
import { and, asc, eq, or, sql } from "drizzle-orm";
import { artifacts } from "@/drizzle/schema";
import { pretextHome, type Database } from "@/server/db";
import { badInput, describeZodError, notFound, PretextError } from "@/server/errors";
import { LocalDirectoryStore, type ArtifactStore } from "@/server/storage/artifact-store";
import { artifactName } from "@/server/validation";
import { getRun } from "./runs";

export function artifactStore(): ArtifactStore {
  return new LocalDirectoryStore(process.env.PRETEXT_ARTIFACT_DIR ?? path.join(pretextHome(), "artifacts"));
}

export function artifactMaxBytes(): number {
  return Number(process.env.PRETEXT_ARTIFACT_MAX_BYTES ?? 2 * 1024 ** 3);
}

function validName(name: string): string {
  const parsed = artifactName.safeParse(name);
  if (!parsed.success) throw badInput(`name: ${describeZodError(parsed.error).replace(/^\(root\): /, "")}`);
  return parsed.data;
}

export interface UploadOptions {
  /** replace an artifact of the same name (a checkpoint saved every N steps); without it, a second upload is a 409 */
  overwrite?: boolean;
  store?: ArtifactStore;
}

/**
 * Stores an artifact of a run. Refused, with nothing stored or replaced: an empty one (400), a name
 * already taken unless `overwrite` (409), and a name that is a folder of another artifact or lies
 * inside one (`a` vs `a/b`: 409), since names are paths in the store.
 */
export async function uploadArtifact(
  database: Database,
  runId: number,
  name: string,
  kind: string,
  data: Readable | Uint8Array,
  { overwrite = false, store = artifactStore() }: UploadOptions = {},
) {
  const safeName = validName(name);
  await getRun(database, runId);
  const prefixes = safeName.split("/").slice(0, -1).map((_, i, segs) => segs.slice(0, i + 1).join("/"));
  const clashes = await database.db
    .select({ name: artifacts.name })
    .from(artifacts)
    .where(
      and(
        eq(artifacts.runId, runId),
        or(
          eq(artifacts.name, safeName),
          sql`starts_with(${artifacts.name}, ${safeName + "/"})`,
          ...prefixes.map((p) => eq(artifacts.name, p)),
        ),
      ),
    )
    .limit(1);
  const clash = clashes[0]?.name;
  if (clash === safeName && !overwrite) {
    throw new PretextError(409, `name: run ${runId} already has an artifact "${safeName}"; upload with overwrite (?overwrite=true) to replace it`);
  }
  if (clash !== undefined && clash !== safeName) {
    throw new PretextError(
      409,
      clash.startsWith(safeName + "/")
        ? `name: "${safeName}" is a folder of run ${runId}'s artifact "${clash}"; a name cannot be both a file and a folder`
        : `name: "${safeName}" lies inside run ${runId}'s artifact "${clash}", which is a file; a name cannot be both a file and a folder`,
    );
  }
  const storagePath = `runs/${runId}/${safeName}`;
  const stream = data instanceof Readable ? data : Readable.from([Buffer.from(data)]);
  const { bytes, sha256 } = await store.put(storagePath, stream, artifactMaxBytes());
  const insert = database.db.insert(artifacts).values({ runId, name: safeName, kind, bytes, sha256, storagePath });
  const [row] = overwrite
    ? await insert.onConflictDoUpdate({ target: [artifacts.runId, artifacts.name], set: { kind, bytes, sha256, storagePath, createdAt: new Date() } }).returning()
    : await insert.onConflictDoNothing().returning();
  if (!row) throw new PretextError(409, `name: run ${runId} already has an artifact "${safeName}" (uploaded meanwhile); upload with overwrite (?overwrite=true) to replace it`);
  return row;
}

export async function getArtifact(database: Database, runId: number, name: string) {
  const safeName = validName(name);
  const [row] = await database.db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.runId, runId), eq(artifacts.name, safeName)));
  if (!row) {
    await getRun(database, runId);
    throw notFound(`artifact "${safeName}" of run`, runId);
  }
  return row;
}

export async function openArtifact(database: Database, runId: number, name: string, store = artifactStore()) {
  const row = await getArtifact(database, runId, name);
  const { stream } = await store.get(row.storagePath);
  return { artifact: row, stream };
}

/** The whole artifact in memory (encoders, checkpoints, reports: small enough to hold). */
export async function readArtifactBytes(database: Database, runId: number, name: string, store = artifactStore()): Promise<Uint8Array> {
  const { stream } = await openArtifact(database, runId, name, store);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export async function listArtifacts({ db }: Database, runId: number) {
  return db.select().from(artifacts).where(eq(artifacts.runId, runId)).orderBy(asc(artifacts.name));
}
