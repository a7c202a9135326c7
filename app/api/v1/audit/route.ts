import { auditFilter, listAudit } from "@/server/auth/audit";
import { handle, json, readQuery } from "@/server/http";

/** GET /api/v1/audit?objectType=&objectId=&actor=&action=&before=&limit= (admin) -> events, newest first */
export const GET = (req: Request) => handle(req, async (database) => json(await listAudit(database, readQuery(req, auditFilter))), { scope: "admin" });
