import { handle, json, readJson } from "@/server/http";
import { listEncoders, registerEncoder, type EncoderRegistration } from "@/server/registry/encoders";

/** POST /api/v1/encoders {name, runId, artifactName?, datasetName?, architecture, embeddingDim, description?} -> the new version */
export const POST = (req: Request) => handle(req, async (database, principal) => json(await registerEncoder(database, (await readJson(req)) as EncoderRegistration, principal.actor), 201));

/** GET /api/v1/encoders[?name=...] -> encoders, newest version first */
export const GET = (req: Request) =>
  handle(req, async (database) => json(await listEncoders(database, { name: new URL(req.url).searchParams.get("name") ?? undefined })));
