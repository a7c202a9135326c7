import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { handleRun, json, type RouteContext } from "@/server/http";
import { badInput } from "@/server/errors";
import { openArtifact, uploadArtifact } from "@/server/services/artifacts";

type Ctx = RouteContext<{ id: string; name: string[] }>;

/**
 * PUT /api/v1/runs/:id/artifacts/:name?kind=checkpoint[&overwrite=true] with the bytes as the body
 * (streamed). An empty body is a 400; a name already stored is a 409 unless overwrite=true.
 */
export const PUT = (req: Request, ctx: Ctx) =>
  handleRun(
    req,
    ctx,
    async (database, runId, { name }) => {
      if (!req.body) throw badInput("body: the artifact is empty (0 bytes); an artifact needs at least one byte");
      const search = new URL(req.url).searchParams;
      const kind = search.get("kind") ?? "file";
      const overwrite = search.get("overwrite") ?? "false";
      if (overwrite !== "true" && overwrite !== "false") throw badInput('overwrite: must be "true" or "false"');
      const body = Readable.fromWeb(req.body as WebReadableStream<Uint8Array>);
      return json(await uploadArtifact(database, runId, name.join("/"), kind, body, { overwrite: overwrite === "true" }), 201);
    },
    { rate: "ingest" },
  );

/** GET /api/v1/runs/:id/artifacts/:name -> the bytes (streamed), with its sha256 in a header */
export const GET = (req: Request, ctx: Ctx) =>
  handleRun(req, ctx, async (database, runId, { name }) => {
    const { artifact, stream } = await openArtifact(database, runId, name.join("/"));
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(artifact.bytes),
        "x-sha256": artifact.sha256,
      },
    });
  });
