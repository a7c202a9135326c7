/** Datasets: registered once per name; a changed checksum under the same name is refused. */
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { datasets } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { badInput, describeZodError, notFound, PretextError } from "@/server/errors";
import { MAX_ID, name } from "@/server/validation";

export const datasetInfo = z.object({
  name,
  source: z.string().min(1).max(2000),
  format: z.string().min(1).max(50),
  checksum: z.string().regex(/^[0-9a-f]{32,128}$/, "must be a hex digest"),
  shape: z.array(z.number().int().positive()).min(1).max(8),
  count: z.number().int().min(0).max(MAX_ID, `must be at most ${MAX_ID}`),
  hasLabels: z.boolean(),
  numClasses: z.number().int().positive().max(MAX_ID, `must be at most ${MAX_ID}`).nullable().optional(),
  splits: z.record(z.string(), z.object({ count: z.number().int().min(0), labeled: z.boolean() })).default({}),
});
export type DatasetInfo = z.input<typeof datasetInfo>;

export async function registerDataset(database: Database, input: DatasetInfo) {
  const parsed = datasetInfo.safeParse(input);
  if (!parsed.success) throw badInput(describeZodError(parsed.error));
  const data = parsed.data;
  const [existing] = await database.db.select().from(datasets).where(eq(datasets.name, data.name));
  if (existing) {
    if (existing.checksum !== data.checksum) {
      throw new PretextError(409, `checksum: dataset ${data.name} is registered with checksum ${existing.checksum}, not ${data.checksum}`);
    }
    return existing;
  }
  const [row] = await database.db.insert(datasets).values(data).onConflictDoNothing().returning();
  return row ?? (await database.db.select().from(datasets).where(eq(datasets.name, data.name)))[0];
}

export async function getDatasetByName({ db }: Database, name: string) {
  const [row] = await db.select().from(datasets).where(eq(datasets.name, name));
  if (!row) throw notFound("dataset", name);
  return row;
}

export async function listDatasets({ db }: Database) {
  return db.select().from(datasets).orderBy(asc(datasets.name));
}
