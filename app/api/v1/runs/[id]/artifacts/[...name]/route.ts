import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { handle, json, parseRunId, type RouteContext } from "@/server/http";
import { badInput } from "@/server/errors";
import { openArtifact, uploadArtifact } from "@/server/services/artifacts";

type Ctx = RouteContext<{ id: string; name: string[] }>;

/** PUT /api/v1/runs/:id/artifacts/:name?kind=checkpoint with the bytes as the body (streamed) */
export const PUT = (req: Request, ctx: Ctx) =>
  handle(async (database) => {
    const { id, name } = await ctx.params;
    if (!req.body) throw badInput("body: the artifact's bytes are missing");
    const kind = new URL(req.url).searchParams.get("kind") ?? "file";
    const body = Readable.fromWeb(req.body as WebReadableStream<Uint8Array>);
    return json(await uploadArtifact(database, parseRunId(id), name.join("/"), kind, body), 201);
  });

/** GET /api/v1/runs/:id/artifacts/:name -> the bytes (streamed), with its sha256 in a header */
export const GET = (_req: Request, ctx: Ctx) =>
  handle(async (database) => {
    const { id, name } = await ctx.params;
    const { artifact, stream } = await openArtifact(database, parseRunId(id), name.join("/"));
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(artifact.bytes),
        "x-sha256": artifact.sha256,
      },
    });
  });
