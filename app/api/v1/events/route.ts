import { handle, json, readInput } from "@/server/http";
import { eventsInput, logEvents } from "@/server/rollout/outcomes";

/** POST /api/v1/events {events: [{metric, user, value, at? (ms since the epoch)}]} (<= 10,000, all or nothing) -> {events} */
export const POST = (req: Request) => handle(req, async (database) => json(await logEvents(database, await readInput(req, eventsInput)), 201), { scope: "write", rate: "ingest" });
