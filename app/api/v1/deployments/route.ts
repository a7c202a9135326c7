import { handle, json, readInput } from "@/server/http";
import { createDeployment, deploymentInput, listDeployments } from "@/server/serving/deployments";

/** POST /api/v1/deployments {name, encoderName, sampleRate?, retentionDays?} (admin) -> the deployment */
export const POST = (req: Request) =>
  handle(req, async (database, principal) => json(await createDeployment(database, await readInput(req, deploymentInput), principal.actor), 201), { scope: "admin" });

/** GET /api/v1/deployments -> deployments with the version each serves */
export const GET = (req: Request) => handle(req, async (database) => json(await listDeployments(database)));
