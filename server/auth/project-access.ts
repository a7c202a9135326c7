/** Which project a run or experiment belongs to, for tokens restricted to one project. */
import { eq } from "drizzle-orm";
import { experiments, projects, runs } from "@/drizzle/schema";
import type { Database } from "@/server/db";
import { requireProject } from "./authenticate";
import type { Principal } from "./principal";

export async function requireRunProject(database: Database, principal: Principal, runId: number, target: string): Promise<void> {
  if (principal.projectId === null) return;
  const [row] = await database.db.select({ projectId: experiments.projectId }).from(runs).innerJoin(experiments, eq(experiments.id, runs.experimentId)).where(eq(runs.id, runId));
  await requireProject(database, principal, row?.projectId ?? null, target);
}

export async function requireExperimentProject(database: Database, principal: Principal, experimentId: number, target: string): Promise<void> {
  if (principal.projectId === null) return;
  const [row] = await database.db.select({ projectId: experiments.projectId }).from(experiments).where(eq(experiments.id, experimentId));
  await requireProject(database, principal, row?.projectId ?? null, target);
}

/** A restricted token may create runs only in its own (existing) project. */
export async function requireProjectNamed(database: Database, principal: Principal, projectName: string, target: string): Promise<void> {
  if (principal.projectId === null) return;
  const [row] = await database.db.select({ id: projects.id }).from(projects).where(eq(projects.name, projectName));
  await requireProject(database, principal, row?.id ?? null, target);
}
