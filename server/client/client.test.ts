import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PretextApiError, PretextClient } from "./index";

/** A real HTTP server that fails the first `failures` requests with 503, then records batches. */
async function flakyServer(failures: number) {
  const batches: { metrics: { key: string; step: number; value: unknown }[] }[] = [];
  let seen = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen++;
      if (seen <= failures) {
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: "busy" }));
        return;
      }
      if (req.url?.endsWith("/log")) batches.push(JSON.parse(body));
      if (req.url?.includes("/runs/404/")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "run 404 not found" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, batches, requests: () => seen, close: () => new Promise((r) => server.close(r)) };
}

describe("PretextClient", () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it("retries 5xx with back-off and sends points in batches of at most 10,000, in order", async () => {
    const srv = await flakyServer(2);
    close = srv.close;
    const tracker = new PretextClient({ baseUrl: srv.url, backoffMs: 5 }).tracker(1, { flushIntervalMs: 60_000 });
    tracker.logMetrics(Array.from({ length: 25_000 }, (_, i) => ({ key: "loss", step: i, value: i === 7 ? Number.NaN : 1 / (i + 1) })));
    await tracker.flush();
    tracker.close();
    expect(srv.batches.map((b) => b.metrics.length)).toEqual([10_000, 10_000, 5_000]);
    expect(srv.batches.flatMap((b) => b.metrics.map((m) => m.step))).toEqual([...Array(25_000).keys()]);
    expect(srv.batches[0].metrics[7].value).toBe("NaN");
    expect(srv.requests()).toBe(5); // two 503s, then three batches
  });

  it("does not retry a 4xx and reports it on flush", async () => {
    const srv = await flakyServer(0);
    close = srv.close;
    const tracker = new PretextClient({ baseUrl: srv.url, backoffMs: 5 }).tracker(404, { flushIntervalMs: 60_000 });
    tracker.logMetrics([{ key: "x", step: 0, value: 1 }]);
    const err = await tracker.flush().catch((e) => e);
    tracker.close();
    expect(err).toBeInstanceOf(PretextApiError);
    expect(err.status).toBe(404);
    expect(srv.requests()).toBe(1);
  });

  it("gives up after its attempts when nothing listens", async () => {
    const client = new PretextClient({ baseUrl: "http://127.0.0.1:1", attempts: 3, backoffMs: 1 });
    await expect(client.createRun({})).rejects.toThrow(/fetch failed/);
  });
});
