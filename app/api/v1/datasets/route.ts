import { handle, json, readJson } from "@/server/http";
import { listDatasets, registerDataset, type DatasetInfo } from "@/server/services/datasets";

/** POST /api/v1/datasets {name, source, format, checksum, shape, count, hasLabels, numClasses?, splits?} */
export const POST = (req: Request) => handle(req, async (database) => json(await registerDataset(database, (await readJson(req)) as DatasetInfo), 201));

/** GET /api/v1/datasets */
export const GET = (req: Request) => handle(req, async (database) => json(await listDatasets(database)));
