import { handle, json, readJson } from "@/server/http";
import { createDeployment, listDeployments, type DeploymentInput } from "@/server/serving/deployments";

/** POST /api/v1/deployments {name, encoderName, sampleRate?, retentionDays?, actor?} -> the deployment */
export const POST = (req: Request) => handle(async (database) => json(await createDeployment(database, (await readJson(req)) as DeploymentInput), 201));

/** GET /api/v1/deployments -> deployments with the version each serves */
export const GET = () => handle(async (database) => json(await listDeployments(database)));
