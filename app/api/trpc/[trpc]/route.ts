import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";
import { badInput, PretextError } from "@/server/errors";
import { readJson } from "@/server/http";
import { refuseRequest } from "@/server/request-boundary";
import { jsonInputProblem, MAX_JSON_DEPTH } from "@/server/validation";

/**
 * tRPC over HTTP, behind the same request boundary as the REST routes (server/http.ts): a body is
 * read by the REST API's JSON reader (size, UTF-8, JSON, depth, NUL) and a query's `input` checked
 * the same way, before tRPC's own parsing (superjson recurses, and would overflow on deep input).
 */
async function handler(req: Request): Promise<Response> {
  const refusal = refuseRequest(req.method, new URL(req.url), req.headers);
  if (refusal) return Response.json({ error: refusal.error }, { status: refusal.status });
  let checked = req;
  try {
    if (req.method === "POST") {
      const headers = new Headers(req.headers);
      headers.delete("content-length"); // the body is written anew
      checked = new Request(req.url, { method: "POST", headers, body: JSON.stringify(await readJson(req)) });
    } else {
      const input = new URL(req.url).searchParams.get("input");
      if (input !== null) {
        let value: unknown;
        try {
          value = JSON.parse(input);
        } catch (err) {
          throw badInput(`input: not valid JSON (${(err as Error).message})`);
        }
        const problem = jsonInputProblem(value, "input", MAX_JSON_DEPTH);
        if (problem) throw badInput(problem);
      }
    }
  } catch (err) {
    // a field's path inside tRPC's envelope ({"json": …}, or {"0": {"json": …}} batched) is the input's own
    if (err instanceof PretextError) return Response.json({ error: err.message.replace(/^(?:\d+\.)?json\./, "") }, { status: err.status });
    throw err;
  }
  return fetchRequestHandler({ endpoint: "/api/trpc", req: checked, router: appRouter, createContext: () => createContext({ headers: req.headers }) });
}

export { handler as GET, handler as POST };
