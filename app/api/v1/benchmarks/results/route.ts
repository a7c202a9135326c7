import { z } from "zod";
import { handle, json, readJson } from "@/server/http";
import { badInput, describeZodError } from "@/server/errors";
import { listBenchmarkResults, recordBenchmarkResults, type BenchmarkResultInput } from "@/server/services/benchmarks";
import { encoderId, runId } from "@/server/validation";

const postBody = z.object({ runId, results: z.array(z.unknown(), { error: "must be an array of results" }) });

/** POST /api/v1/benchmarks/results {runId, results: [{encoderId|null, benchmark, method, labelFraction, seed, metric, value}]} */
export const POST = (req: Request) =>
  handle(req, async (database) => {
    const parsed = postBody.safeParse(await readJson(req));
    if (!parsed.success) throw badInput(describeZodError(parsed.error));
    return json(await recordBenchmarkResults(database, parsed.data.runId, parsed.data.results as BenchmarkResultInput[]), 201);
  });

const listQuery = z.object({
  runId: runId.optional(),
  encoderId: encoderId.optional(),
});

/** GET /api/v1/benchmarks/results?runId=…|encoderId=… -> stored results */
export const GET = (req: Request) =>
  handle(req, async (database) => {
    const parsed = listQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) throw badInput(describeZodError(parsed.error));
    if (parsed.data.runId === undefined && parsed.data.encoderId === undefined) throw badInput("runId: give runId or encoderId");
    return json(await listBenchmarkResults(database, parsed.data));
  });
