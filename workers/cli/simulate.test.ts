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
}

/** A stand-in for the app's embed route on 127.0.0.1: records every request, answers with `respond` after `delayMs`. */
function embedServer(respond: (index: number) => { status: number; body: unknown }) {
  const received: Received[] = [];
  const load = { delayMs: 0, open: 0, maxOpen: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    load.maxOpen = Math.max(load.maxOpen, ++load.open);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { inputs } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { inputs: number[][] };
      const { status, body } = respond(received.length);
      received.push({ url: `${req.method} ${req.url}`, inputs });
      setTimeout(() => {
        load.open--;
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      }, load.delayMs);
    });
  });
  return { server, received, load };
}

const EMBEDDED = (n = 1) => ({ deployment: "fm", encoder: { id: 1, name: "enc", version: 1 }, runtime: "onnx", dim: 2, embeddings: Array.from({ length: n }, () => [0.1, 0.2]) });

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("pretext simulate: traffic to a stand-in app", () => {
  let respond: (index: number) => { status: number; body: unknown } = () => ({ status: 200, body: EMBEDDED() });
  const { server, received, load } = embedServer((i) => respond(i));
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
    respond = () => ({ status: 200, body: EMBEDDED() });
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
      expect(r.inputs).toHaveLength(4);
      for (const input of r.inputs) {
        expect(input).toHaveLength(28 * 28);
        expect(input.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      }
    }
    // brightness=1 adds the whole range: every pixel of a drifted request is 255, and no undrifted image is all white
    const white = received.map((r) => r.inputs.every((input) => input.every((v) => v === 255)));
    expect(white).toEqual([false, false, false, true, true, true, false, false, false, false]);
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
    const first = received.splice(0).map((r) => r.inputs);
    await simulateCommand([...args, "--seed", "5"]);
    expect(received.splice(0).map((r) => r.inputs)).toEqual(first);
    await simulateCommand([...args, "--seed", "6"]);
    expect(received.splice(0).map((r) => r.inputs)).not.toEqual(first);

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
    expect(labels.slice(2).flat()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(labels.slice(0, 2).flat().every((l) => l >= 0)).toBe(true);
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
});
