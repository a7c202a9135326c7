import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PretextClient } from "@/server/client";
import { parseSimulateArgs, runSimulation, simulateCommand, simulationDataSpec } from "./simulate";

describe("pretext simulate: arguments", () => {
  const base = ["--deployment", "fm", "--data", "fashion-mnist"];

  it("has defaults", () => {
    expect(parseSimulateArgs(base)).toEqual({ deployment: "fm", data: "fashion-mnist", split: "test", rate: 10, batch: 10, requests: 100, driftFrom: 0, seed: 1 });
    expect(parseSimulateArgs([...base, "--drift", "prior=0,1", "--drift-from", "5", "--drift-to", "9", "--rate", "2.5"])).toMatchObject({
      drift: { kind: "prior", weights: [0, 1] },
      driftFrom: 5,
      driftTo: 9,
      rate: 2.5,
    });
  });

  it("refuses what it cannot do, naming the flag", () => {
    expect(() => parseSimulateArgs(["--data", "fashion-mnist"])).toThrow(/^--deployment is required\nusage: pretext simulate/);
    expect(() => parseSimulateArgs(["--deployment", "fm"])).toThrow(/^--data is required/);
    expect(() => parseSimulateArgs([...base, "--speed", "3"])).toThrow(/^unknown argument --speed\nusage: pretext simulate/);
    expect(() => parseSimulateArgs([...base, "--batch", "5000"])).toThrow(/--batch must be an integer from 1 to 1024 \(the embed route takes at most that many inputs a request\), got 5000/);
    expect(() => parseSimulateArgs([...base, "--batch", "2.5"])).toThrow(/--batch must be an integer/);
    expect(() => parseSimulateArgs([...base, "--drift", "hue=3"])).toThrow(/--drift: unknown kind "hue" \(known: brightness, contrast, rotation, noise, blur, prior\)/);
    expect(() => parseSimulateArgs([...base, "--drift", "rotation=200"])).toThrow(/--drift rotation=200: rotation must be at most 180 degrees/);
    expect(() => parseSimulateArgs([...base, "--rate", "0"])).toThrow(/--rate must be above 0/);
    expect(() => parseSimulateArgs([...base, "--rate", "fast"])).toThrow(/--rate must be a number, got "fast"/);
    expect(() => parseSimulateArgs([...base, "--requests", "0"])).toThrow(/--requests must be an integer of at least 1/);
    expect(() => parseSimulateArgs([...base, "--split", "validation"])).toThrow(/--split must be train or test/);
    expect(() => parseSimulateArgs([...base, "--drift-from", "3"])).toThrow(/--drift-from and --drift-to need --drift or --switch-data/);
    expect(() => parseSimulateArgs([...base, "--drift", "noise=0.1", "--drift-from", "100"])).toThrow(/--drift-from \(100\) is past the last request \(99\)/);
    expect(() => parseSimulateArgs([...base, "--drift", "noise=0.1", "--drift-from", "5", "--drift-to", "5"])).toThrow(/--drift-to \(5\) must be above --drift-from \(5\)/);
  });

  it("parses users, an outcome and its effects by version", () => {
    expect(parseSimulateArgs([...base, "--users", "50", "--outcome", "clicked:proportion:0.2", "--effect", "2=1.0", "--effect", "3=-0.1"])).toMatchObject({
      users: 50,
      outcome: { metric: "clicked", kind: "proportion", base: 0.2 },
      effects: { 2: 1, 3: -0.1 },
    });
    const outcome = (arg: string) => parseSimulateArgs([...base, "--users", "5", "--outcome", arg]).outcome;
    expect(outcome("clicked")).toEqual({ metric: "clicked", kind: "proportion", base: 0.1 });
    expect(outcome("revenue:mean:5")).toEqual({ metric: "revenue", kind: "mean", base: 5 });
    expect(outcome("revenue:mean")).toEqual({ metric: "revenue", kind: "mean", base: 0.1 });
    expect(outcome("clicked:0.3")).toEqual({ metric: "clicked", kind: "proportion", base: 0.3 });
    expect(parseSimulateArgs([...base, "--users", "5"])).toMatchObject({ users: 5, outcome: undefined, effects: undefined });
  });

  it("refuses users, outcomes and effects it cannot plant, naming the flag", () => {
    const users = [...base, "--users", "10"];
    expect(() => parseSimulateArgs([...base, "--users", "0"])).toThrow(/^--users must be an integer of at least 1, got 0$/);
    expect(() => parseSimulateArgs([...base, "--users", "2.5"])).toThrow(/^--users must be an integer of at least 1, got 2.5$/);
    expect(() => parseSimulateArgs([...base, "--outcome", "clicked"])).toThrow(/^--outcome needs --users: outcome events are logged per user/);
    expect(() => parseSimulateArgs([...users, "--effect", "2=0.1"])).toThrow(/^--effect needs --outcome/);
    const outcome = [...users, "--outcome", "clicked"];
    expect(() => parseSimulateArgs([...outcome, "--effect", "2=abc"])).toThrow(/^--effect 2=abc: the lift must be a number \(relative: 0.05 is 5 % more\), got "abc"$/);
    expect(() => parseSimulateArgs([...outcome, "--effect", "2="])).toThrow(/^--effect 2=: the lift must be a number/);
    expect(() => parseSimulateArgs([...outcome, "--effect", "v2=0.1"])).toThrow(/^--effect v2=0.1: expected <version>=<relative lift>, e.g. 2=0.05/);
    expect(() => parseSimulateArgs([...outcome, "--effect", "0=0.1"])).toThrow(/^--effect 0=0.1: versions start at 1/);
    expect(() => parseSimulateArgs([...outcome, "--effect", "2=-1.5"])).toThrow(/^--effect 2=-1.5: a lift below -1 would make the mean negative/);
    expect(() => parseSimulateArgs([...outcome, "--effect", "2=0.1", "--effect", "2=0.2"])).toThrow(/^--effect 2=0.2: version 2 has an effect already \(0.1\)$/);
    const bad = (arg: string) => () => parseSimulateArgs([...users, "--outcome", arg]);
    expect(bad("x:median")).toThrow(/^--outcome x:median: the kind must be proportion or mean, got "median" \(expected <metric>\[:proportion\|mean\]\[:<base>\]/);
    expect(bad("clicked:proportion:1.5")).toThrow(/^--outcome clicked:proportion:1.5: a proportion's base must be from 0 to 1, got 1.5/);
    expect(bad("revenue:mean:0")).toThrow(/^--outcome revenue:mean:0: a mean's base must be above 0 \(it is also the standard deviation\)/);
    expect(bad(":mean")).toThrow(/^--outcome :mean: the metric must not be empty/);
    expect(bad("a:b:mean")).toThrow(/^--outcome a:b:mean: too many parts/);
    expect(bad("bad!key")).toThrow(/^--outcome bad!key: the metric may only contain letters, digits/);
    expect(() => parseSimulateArgs([...users, "--outcome"])).toThrow(/^--outcome needs a value\nusage: pretext simulate/);
  });

  it("needs a running app", async () => {
    const saved = process.env.PRETEXT_URL;
    process.env.PRETEXT_URL = "";
    try {
      await expect(simulateCommand(base)).rejects.toThrow(/simulate sends requests to a running app, and there is none: start one with `npm run dev`/);
    } finally {
      restore("PRETEXT_URL", saved);
    }
  });

  it("recognises a CSV file and folders; refuses what is none of them", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-simulate-"));
    writeFileSync(path.join(dir, "rows.csv"), "a,b,Class\n1,2,x\n");
    expect(await simulationDataSpec(path.join(dir, "rows.csv"))).toEqual({ kind: "csv", file: path.join(dir, "rows.csv"), labelColumn: "Class", standardize: false });
    expect(await simulationDataSpec(dir)).toEqual({ kind: "image-folder", dir, channels: 3 });
    expect(await simulationDataSpec(path.join(process.env.PRETEXT_DATA_DIR!, "fashion-mnist"))).toMatchObject({ kind: "idx" });
    expect(await simulationDataSpec('{"kind":"csv","file":"t.csv"}')).toEqual({ kind: "csv", file: "t.csv", standardize: false });
    await expect(simulationDataSpec("no-such-data", "switch-data")).rejects.toThrow(/^--switch-data: "no-such-data" is not a dataset spec/);
  });
});

interface Received {
  url: string;
  inputs: number[][];
  /** the x-pretext-user header */
  user?: string;
}

interface Event {
  metric: string;
  user: string;
  value: number;
}

/** The version the stand-in's "flag" serves a user: a hash of the id, version 1 or 2; version 1 without a user. */
function versionOf(user: string | undefined): number {
  if (user === undefined) return 1;
  let h = 0;
  for (const c of user) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return 1 + (h % 2);
}

/**
 * A stand-in for the app on 127.0.0.1: its embed route records every request and answers with `respond` after `delayMs`;
 * POST /api/v1/events records the batches (or answers with `events`), /api/v1/metrics defines a metric once (then 409s) and lists them.
 */
function embedServer(respond: (index: number, user?: string) => { status: number; body: unknown }) {
  const received: Received[] = [];
  const outcomes = { batches: [] as Event[][], metricPosts: [] as unknown[], metrics: new Map<string, { key: string; kind: string }>() };
  let events: (batch: number) => { status: number; body: unknown } = () => ({ status: 201, body: {} });
  const load = { delayMs: 0, open: 0, maxOpen: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.url === "/api/v1/events") {
        const { status, body } = events(outcomes.batches.length);
        const batch = (JSON.parse(text) as { events: Event[] }).events;
        outcomes.batches.push(batch);
        return reply(status, status === 201 ? { events: batch.length } : body);
      }
      if (req.url === "/api/v1/metrics") {
        if (req.method === "GET") return reply(200, [...outcomes.metrics.values()]);
        const metric = JSON.parse(text) as { key: string; kind: string };
        outcomes.metricPosts.push(metric);
        if (outcomes.metrics.has(metric.key)) return reply(409, { error: `key: a metric "${metric.key}" exists already` });
        outcomes.metrics.set(metric.key, metric);
        return reply(201, metric);
      }
      load.maxOpen = Math.max(load.maxOpen, ++load.open);
      const { inputs } = JSON.parse(text) as { inputs: number[][] };
      const user = req.headers["x-pretext-user"] as string | undefined;
      const { status, body } = respond(received.length, user);
      received.push({ url: `${req.method} ${req.url}`, inputs, user });
      setTimeout(() => {
        load.open--;
        reply(status, body);
      }, load.delayMs);
    });
  });
  return { server, received, load, outcomes, answerEvents: (f: typeof events) => (events = f) };
}

const EMBEDDED = (n = 1, version = 1) => ({ deployment: "fm", encoder: { id: version, name: "enc", version }, runtime: "onnx", dim: 2, embeddings: Array.from({ length: n }, () => [0.1, 0.2]) });

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("pretext simulate: traffic to a stand-in app", () => {
  const served = (_: number, user?: string) => ({ status: 200, body: EMBEDDED(1, versionOf(user)) });
  let respond: (index: number, user?: string) => { status: number; body: unknown } = served;
  const { server, received, load, outcomes, answerEvents } = embedServer((i, user) => respond(i, user));
  let baseUrl = "";
  const saved = process.env.PRETEXT_URL;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.PRETEXT_URL = baseUrl;
  });
  afterEach(() => {
    received.length = 0;
    Object.assign(load, { delayMs: 0, maxOpen: 0 });
    respond = served;
    outcomes.batches.length = 0;
    outcomes.metricPosts.length = 0;
    outcomes.metrics.clear();
    answerEvents(() => ({ status: 201, body: {} }));
  });
  afterAll(async () => {
    restore("PRETEXT_URL", saved);
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends the requested requests and batches at the rate, with the drift only in its window", async () => {
    const started = performance.now();
    await simulateCommand(["--deployment", "fm", "--data", "fashion-mnist", "--requests", "10", "--batch", "4", "--rate", "50", "--drift", "brightness=1", "--drift-from", "3", "--drift-to", "6"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(9 * 20 - 5); // 10 requests, 20 ms apart
    expect(received).toHaveLength(10);
    for (const r of received) {
      expect(r.url).toBe("POST /api/v1/deployments/fm/embed");
      expect(r.user).toBeUndefined(); // no --users: no user header
      expect(r.inputs).toHaveLength(4);
      for (const input of r.inputs) {
        expect(input).toHaveLength(28 * 28);
        expect(input.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      }
    }
    // brightness=1 adds the whole range: every pixel of a drifted request is 255, and no undrifted image is all white
    // (requests 3-5 of 10; up to four are in flight, so on a loaded machine they may arrive out of order)
    const white = received.map((r) => r.inputs.every((input) => input.every((v) => v === 255)));
    expect(white.filter(Boolean)).toHaveLength(3);
  });

  it("keeps at most a few requests in flight when the app is slower than the rate", async () => {
    load.delayMs = 100;
    const summary = await runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", "fashion-mnist", "--requests", "12", "--batch", "1", "--rate", "1000"]), new PretextClient({ baseUrl }), () => {});
    expect(summary).toMatchObject({ requests: 12, ok: 12 });
    expect(load.maxOpen).toBe(4);
    expect(summary.elapsedS).toBeGreaterThanOrEqual(0.29); // three rounds of 4
    expect(summary.achievedRate).toBeLessThan(60); // 11 intervals over at least two 100 ms rounds (≤ 55/s), not 1000/s
  });

  it("draws the same samples from the same seed, and by class prior in the window", async () => {
    const args = ["--deployment", "fm", "--data", "fashion-mnist", "--requests", "4", "--batch", "3", "--rate", "100"];
    await simulateCommand([...args, "--seed", "5"]);
    // requests in flight together may arrive in any order: compared as sets
    const sent = () => received.splice(0).map((r) => JSON.stringify(r.inputs)).sort();
    const first = sent();
    await simulateCommand([...args, "--seed", "5"]);
    expect(sent()).toEqual(first);
    await simulateCommand([...args, "--seed", "6"]);
    expect(sent()).not.toEqual(first);

    // prior=only class 1 (trousers) on requests 2-3: all 6 drawn samples are test images labelled 1
    const log: string[] = [];
    const summary = await runSimulation(parseSimulateArgs([...args, "--drift", "prior=0,1,0,0,0,0,0,0,0,0", "--drift-from", "2"]), new PretextClient({ baseUrl }), (l) => log.push(l));
    expect(summary).toMatchObject({ requests: 4, samples: 12, ok: 4, failed: 0, drifted: 2 });
    expect(log[0]).toMatch(/^simulate: deployment fm, data fashion-mnist \(test, 10000 samples of \[28,28,1\]\), 100 requests\/s, batch 3, 4 requests, drift prior=0,1,0,0,0,0,0,0,0,0 on requests 2-end$/);
    expect(log.at(-1)).toMatch(/^requests {10}4\nsamples {11}12\nok {16}4\nfailed {12}0\ndrifted requests {2}2\nelapsed s {9}\d+\.\d\nachieved rate {5}\d+\.\d requests\/s$/);
    const { loadDataset } = await import("@/workers/engine/data/load-dataset");
    const test = (await loadDataset({ kind: "fashion-mnist" })).test!;
    const labelOf = (input: number[]) => {
      for (let s = 0; s < test.count; s++) if (input.every((v, j) => test.x[s * 784 + j] === v)) return test.labels![s];
      return -1;
    };
    const labels = received.map((r) => r.inputs.map(labelOf));
    // requests 2 and 3 (in whatever order they arrived) draw only class 1; requests 0 and 1 draw from all classes
    expect(labels.filter((ls) => ls.every((l) => l === 1))).toHaveLength(2);
    expect(labels.flat().every((l) => l >= 0)).toBe(true);
  });

  it("counts and shows server errors without stopping, but stops when the first 10 requests all fail", async () => {
    respond = (i) => (i % 3 === 1 ? { status: 400, body: { error: `inputs.0: expected 784 numbers (request ${i})` } } : { status: 200, body: EMBEDDED() });
    const log: string[] = [];
    const summary = await runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", "fashion-mnist", "--requests", "12", "--batch", "1", "--rate", "100"]), new PretextClient({ baseUrl }), (l) =>
      log.push(l),
    );
    expect(summary).toMatchObject({ requests: 12, ok: 8, failed: 4, drifted: 0 });
    const shown = log.filter((l) => l.startsWith("request "));
    expect(shown).toHaveLength(3);
    expect(shown[0]).toBe("request 1 failed: POST /api/v1/deployments/fm/embed: 400 inputs.0: expected 784 numbers (request 1)");
    expect(log.filter((l) => l.startsWith("[")).length).toBeGreaterThanOrEqual(10); // a line per 10 %
    expect(log.find((l) => l.startsWith("["))).toMatch(/^\[ +\d+\.\d s\] sent \d+\/12 requests \(\d+ samples\), \d+ failed, mean latency \d+\.\d ms$/);

    received.length = 0;
    respond = () => ({ status: 404, body: { error: "deployment fm not found" } });
    await expect(simulateCommand(["--deployment", "fm", "--data", "fashion-mnist", "--requests", "50", "--rate", "200"])).rejects.toThrow(
      /^every one of the first 10 requests failed; the first: POST \/api\/v1\/deployments\/fm\/embed: 404 deployment fm not found$/,
    );
    expect(received.length).toBeGreaterThanOrEqual(10);
    expect(received.length).toBeLessThan(14); // at most a few in flight past the tenth
  });

  it("sends CSV rows raw, without the label; refuses a switch to data of another shape and image-only drift on rows", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pretext-simulate-"));
    const csv = path.join(dir, "rows.csv");
    writeFileSync(csv, "a,label,b\n1.5,x,200\n-3.25,y,100\n0.125,x,300\n");
    const log: string[] = [];
    await runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", csv, "--requests", "3", "--batch", "5", "--rate", "100"]), new PretextClient({ baseUrl }), (l) => log.push(l));
    expect(log[0]).toMatch(/data rows \(train: rows has no test part, 3 samples of \[2\]\)/);
    const rows = new Set(received.flatMap((r) => r.inputs.map((input) => input.join())));
    expect([...rows].every((r) => ["1.5,200", "-3.25,100", "0.125,300"].includes(r))).toBe(true);
    expect(rows.size).toBe(3);

    // brightness on rows: + 0.5 × (300 - (-3.25)) on every feature, not clipped
    received.length = 0;
    await runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", csv, "--requests", "1", "--batch", "20", "--drift", "brightness=0.5"]), new PretextClient({ baseUrl }), () => {});
    const shifted = new Set(received[0].inputs.map((input) => input.join()));
    expect([...shifted].every((r) => ["153.125,351.625", "148.375,251.625", "151.75,451.625"].includes(r))).toBe(true);

    const client = new PretextClient({ baseUrl });
    await expect(runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", "fashion-mnist", "--switch-data", csv, "--drift-from", "2"]), client, () => {})).rejects.toThrow(
      "--switch-data: rows has samples of [2], fashion-mnist of [28,28,1]; a deployment takes one shape",
    );
    await expect(runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", csv, "--drift", "rotation=10"]), client, () => {})).rejects.toThrow(/--drift rotation needs images .* these samples are \[2\]/);
    await expect(runSimulation(parseSimulateArgs(["--deployment", "fm", "--data", "fashion-mnist", "--drift", "prior=1,1"]), client, () => {})).rejects.toThrow(
      /--drift prior: 2 weights for the 10 classes of fashion-mnist \(T-shirt\/top, Trouser/,
    );
  });

  const rowsCsv = () => {
    const csv = path.join(mkdtempSync(path.join(os.tmpdir(), "pretext-simulate-")), "rows.csv");
    writeFileSync(csv, "a,b\n1,2\n3,4\n5,6\n");
    return csv;
  };
  const meanOf = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const byUser = (e: { user: string; value: number }) => `${e.user} ${e.value}`;

  it("plays the users of an A/B test: an outcome event per served request, for its user, with the mean its version plants", async () => {
    const args = ["--deployment", "fm", "--data", rowsCsv(), "--requests", "1000", "--batch", "1", "--rate", "2000"];
    const ab = [...args, "--users", "50", "--outcome", "clicked:proportion:0.2", "--effect", "2=1.0"];
    const client = new PretextClient({ baseUrl });
    const log: string[] = [];
    const summary = await runSimulation(parseSimulateArgs(ab), client, (l) => log.push(l));
    expect(summary).toMatchObject({ requests: 1000, ok: 1000, failed: 0, events: { sent: 1000, failed: 0 } });

    // requests come from the pool of 50, as the x-pretext-user header
    expect(received.every((r) => /^user-([0-9]|[1-4][0-9])$/.test(r.user!))).toBe(true);
    expect(new Set(received.map((r) => r.user)).size).toBeGreaterThan(45);
    // one event per request, for the request's user, in batches of 200
    expect(outcomes.batches.map((b) => b.length)).toEqual([200, 200, 200, 200, 200]);
    const events = outcomes.batches.flat();
    expect(events.every((e) => e.metric === "clicked" && (e.value === 0 || e.value === 1))).toBe(true);
    expect(events.map((e) => e.user).sort()).toEqual(received.map((r) => r.user!).sort());
    // the planted truth: version 2 (lift +100 %) converts about twice as often as version 1 (0.2)
    const v1 = events.filter((e) => versionOf(e.user) === 1).map((e) => e.value);
    const v2 = events.filter((e) => versionOf(e.user) === 2).map((e) => e.value);
    expect(Math.min(v1.length, v2.length)).toBeGreaterThan(300);
    expect(meanOf(v1)).toBeGreaterThan(0.14);
    expect(meanOf(v1)).toBeLessThan(0.26);
    expect(meanOf(v2)).toBeGreaterThan(0.32);
    expect(meanOf(v2)).toBeLessThan(0.48);
    expect(meanOf(v2) / meanOf(v1)).toBeGreaterThan(1.5);
    expect(meanOf(v2) / meanOf(v1)).toBeLessThan(2.6);
    expect(summary.versions).toEqual({
      1: { requests: v1.length, outcomeMean: meanOf(v1), planted: 0.2 },
      2: { requests: v2.length, outcomeMean: meanOf(v2), planted: 0.4 },
    });
    // the metric was defined once, before the traffic
    expect(outcomes.metricPosts).toEqual([{ key: "clicked", kind: "proportion" }]);
    expect(log[0]).toMatch(/, no drift, 50 users \(x-pretext-user: user-0 \.\.\. user-49\), outcome clicked \(proportion, base 0\.2; version 2 \+100 %, other versions \+0 %\)$/);
    expect(log[1]).toBe("defined metric clicked (proportion)");
    expect(log.at(-1)).toMatch(
      /\nachieved rate {5}\d+\.\d requests\/s\nversion 1 {9}\d+ requests, clicked mean 0\.\d{3} \(planted 0\.200\)\nversion 2 {9}\d+ requests, clicked mean 0\.\d{3} \(planted 0\.400\)\noutcome events {4}1000 sent, 0 failed$/,
    );

    // the same seed plants the same events; the metric exists now (409), which is fine
    outcomes.batches.length = 0;
    const again: string[] = [];
    await runSimulation(parseSimulateArgs(ab), client, (l) => again.push(l));
    expect(outcomes.batches.flat().map(byUser).sort()).toEqual(events.map(byUser).sort());
    expect(outcomes.metricPosts).toHaveLength(2);
    expect(outcomes.metrics.size).toBe(1);
    expect(again[1]).toBe("metric clicked exists already (proportion): the events are added to it");

    // users without an outcome: a user header and the versions served, no events
    outcomes.batches.length = 0;
    received.length = 0;
    const plain = await runSimulation(parseSimulateArgs([...args, "--requests", "20", "--users", "3"]), client, () => {});
    expect(received.every((r) => ["user-0", "user-1", "user-2"].includes(r.user!))).toBe(true);
    expect(Object.values(plain.versions!).reduce((n, v) => n + v.requests, 0)).toBe(20);
    expect(plain.events).toBeUndefined();
    expect(outcomes.batches).toEqual([]);
  });

  it("draws a mean outcome as a normal of the planted mean and sd base; counts failed batches without stopping", async () => {
    answerEvents((batch) => (batch === 1 ? { status: 400, body: { error: 'events.3.metric: no metric "revenue" (define it first: POST /api/v1/metrics)' } } : { status: 201, body: {} }));
    const args = ["--deployment", "fm", "--data", rowsCsv(), "--requests", "600", "--batch", "1", "--rate", "2000", "--users", "20"];
    const log: string[] = [];
    const summary = await runSimulation(parseSimulateArgs([...args, "--outcome", "revenue:mean:5", "--effect", "2=0.5", "--effect", "3=0.2"]), new PretextClient({ baseUrl }), (l) => log.push(l));
    expect(summary).toMatchObject({ requests: 600, ok: 600, events: { sent: 400, failed: 200 } });
    expect(outcomes.batches).toHaveLength(3);
    const events = outcomes.batches.flat();
    expect(events.every((e) => e.metric === "revenue" && Number.isFinite(e.value))).toBe(true);
    const v1 = events.filter((e) => versionOf(e.user) === 1).map((e) => e.value);
    const v2 = events.filter((e) => versionOf(e.user) === 2).map((e) => e.value);
    expect(meanOf(v1)).toBeGreaterThan(4);
    expect(meanOf(v1)).toBeLessThan(6);
    expect(meanOf(v2)).toBeGreaterThan(6.5);
    expect(meanOf(v2)).toBeLessThan(8.5);
    const sd = Math.sqrt(meanOf(v1.map((x) => (x - meanOf(v1)) ** 2)));
    expect(sd).toBeGreaterThan(4);
    expect(sd).toBeLessThan(6);
    expect(summary.versions).toMatchObject({ 1: { planted: 5 }, 2: { planted: 7.5 } });
    expect(log.filter((l) => l.startsWith("outcome events failed"))).toEqual([
      'outcome events failed: POST /api/v1/events: 400 events.3.metric: no metric "revenue" (define it first: POST /api/v1/metrics) (further failed batches are counted, not shown)',
    ]);
    expect(log.at(-2)).toMatch(/\noutcome events {4}400 sent, 200 failed$/);
    expect(log.at(-1)).toBe("--effect 3=0.2: no request was served by version 3 (the deployment's flag decides who gets which version)");
  });

  it("refuses a metric that exists as another kind, before sending traffic", async () => {
    outcomes.metrics.set("clicked", { key: "clicked", kind: "mean" });
    const args = ["--deployment", "fm", "--data", rowsCsv(), "--requests", "5", "--users", "5", "--outcome", "clicked:proportion"];
    await expect(runSimulation(parseSimulateArgs(args), new PretextClient({ baseUrl }), () => {})).rejects.toThrow(
      "--outcome clicked:proportion: the metric clicked exists already as a mean metric; log mean outcomes to it, or name another metric",
    );
    expect(received).toEqual([]);
  });
});
