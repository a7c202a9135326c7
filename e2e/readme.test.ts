/**
 * The README's examples, run as written against a fresh app on localhost:3000 (next start, embedded
 * PGlite and worker): every curl command of "HTTP API", then the CLI lines of "Train, queue and
 * workers", which reach the running app by themselves.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startApp, type AppServer } from "@/server/testing/app-server";
import { startSmtpServer, type TestSmtpServer } from "@/server/testing/smtp";
import { waitFor } from "@/server/testing/wait-for";

const README = readFileSync("README.md", "utf8");

/** The first ```sh block after `heading`, as written. */
function shellScript(heading: string): string {
  const section = README.slice(README.indexOf(`\n## ${heading}\n`));
  return section.slice(section.indexOf("```sh\n") + 6, section.indexOf("\n```", section.indexOf("```sh\n")));
}

/** The commands of the first ```sh block after `heading`: continuation lines joined, comments dropped. */
function shellBlock(heading: string): string[] {
  const block = shellScript(heading);
  const commands: string[] = [];
  let current = "";
  for (const line of block.split("\n")) {
    if (!current && (line.trim().startsWith("#") || !line.trim())) continue;
    if (current && line.trim().startsWith("#") && !current.endsWith("\\")) continue;
    current = current ? `${current}\n${line}` : line;
    if (!line.endsWith("\\") && !/'[^']*$/.test(current.replace(/'[^']*'/g, ""))) {
      commands.push(current);
      current = "";
    }
  }
  return commands;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; out: string } {
  const r = spawnSync("bash", ["-c", command], { cwd, env, encoding: "utf8", timeout: 600_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("README examples, verbatim", () => {
  let app: AppServer;
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
    app = await startApp({ SMTP_URL: smtp.url }, "start", 3000);
  });
  after(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  it("runs every curl example of the HTTP API section", () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "pretext-readme-"));
    writeFileSync(path.join(cwd, "model.bin"), "weights");
    const commands = shellBlock("HTTP API");
    assert.ok(commands.length >= 9, `found ${commands.length} commands`);
    const env = { ...process.env, PRETEXT_TOKEN: app.token };
    for (const command of commands) {
      assert.match(command, /authorization: Bearer \$PRETEXT_TOKEN/i, "every example shows the token header");
      const { status, out } = run(command, cwd, env);
      assert.equal(status, 0, `${command}\n${out}`);
      if (out.trim()) assert.ok(!("error" in JSON.parse(out)), `${command}\n${out}`);
    }
    assert.equal(readFileSync(path.join(cwd, "model.bin"), "utf8"), "weights");
  });

  it("runs the registry and serving example as one script: gate, promotion, deployment, embeddings, a PyTorch model", async () => {
    // what the quick start leaves behind: the shipped encoder registered by its evaluation, with the results it measured
    const api = `${app.url}/api/v1`;
    // no kept-alive sockets: the next test blocks this event loop in spawnSync for minutes, and a socket
    // the server closed meanwhile would be reused and fail
    const headers = { "content-type": "application/json", connection: "close", authorization: `Bearer ${app.token}` };
    const post = async (url: string, body: unknown) => (await fetch(url, { method: "POST", headers, body: JSON.stringify(body) })).json();
    const evalRun = (await post(`${api}/runs`, { experiment: "evaluation", name: "quick-1pct" })) as { id: number };
    const put = await fetch(`${api}/runs/${evalRun.id}/artifacts/encoder.ptx?kind=encoder`, { method: "PUT", headers: { connection: "close", authorization: `Bearer ${app.token}` }, body: readFileSync("examples/encoders/fashion-mnist-simclr.ptx") });
    assert.equal(put.status, 201);
    const encoder = (await post(`${api}/encoders`, { name: "simclr-fashion-mnist", runId: evalRun.id, artifactName: "encoder.ptx" })) as { id: number };
    const measured = { finetune: 0.83, linear_probe: 0.809, supervised: 0.815, raw_linear: 0.778 };
    const results = Object.entries(measured).map(([method, value]) => ({
      encoderId: ["supervised", "raw_linear"].includes(method) ? null : encoder.id,
      benchmark: "label-efficiency/fashion-mnist", method, labelFraction: 0.01, seed: 0, metric: "test_accuracy", value,
    }));
    assert.ok(!("error" in (await post(`${api}/benchmarks/results`, { runId: evalRun.id, results }))));

    const { status, out } = run(`set -euo pipefail\n${shellScript("Registry and serving")}`, process.cwd(), { ...process.env, PRETEXT_TOKEN: app.token });
    assert.equal(status, 0, out);
    const replies = out.trim().split("\n").filter((l) => l.startsWith("{") || l.startsWith("["));
    for (const reply of replies) assert.ok(!("error" in JSON.parse(reply)), reply);
    const embeds = replies.map((r) => JSON.parse(r)).filter((r) => r.embeddings);
    assert.equal(embeds.length, 2, out);
    assert.deepEqual(embeds[0].encoder, { id: encoder.id, name: "simclr-fashion-mnist", version: 1 });
    assert.equal(embeds[0].embeddings[0].length, 128);
    assert.equal(embeds[1].dim, 64);
    assert.equal(embeds[1].predictions[0].probabilities.length, 10);
  });

  it("runs the drift monitoring example: a monitor, a rule, drifted traffic from the simulator, a check, one email", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PRETEXT_HOME: app.home, PRETEXT_TOKEN: app.token };
    delete env.PRETEXT_URL;
    delete env.DATABASE_URL;
    const { status, out } = run(`set -euo pipefail\n${shellScript("Drift monitoring and alerts")}`, process.cwd(), env);
    assert.equal(status, 0, out);
    assert.match(out, /working through http:\/\/localhost:3000/, out);
    assert.match(out, /\{"jobId":"[^"]+"\}/, out);
    const [created] = (await (await app.fetch("/api/v1/deployments/fashion/monitors", { headers: { connection: "close" } })).json()) as { id: number }[];
    type Report = { results: { status: string; figures: Record<string, number> }[]; alerts: { rules: { state: string }[]; events: { toState: string }[] } };
    // 600 samples: three windows of 200, the first clean (requests 0-19), the next two brightened
    const report = await waitFor("three windows", async () => {
      const r = (await (await app.fetch(`/api/v1/monitors/${created.id}`, { headers: { connection: "close" } })).json()) as Report;
      return r.results.length === 3 && r;
    }, 120_000);
    assert.deepEqual(report.results.map((r) => r.status), ["ok", "drift", "drift"], JSON.stringify(report.results.map((r) => r.figures)));
    assert.equal(report.alerts.rules[0].state, "firing");
    assert.deepEqual(report.alerts.events.map((e) => e.toState), ["firing"]);
    const [email] = await waitFor("the alert email", async () => smtp.received.length > 0 && smtp.received, 90_000);
    assert.deepEqual(email.to, ["owner@example.com"]);
    assert.match(email.subject, /^\[Pretext\] drift on fashion: embeddings mmd\.p_value/);
    assert.match(email.text, new RegExp(`Monitor: http://localhost:3000/deployments/fashion/monitors/${created.id}`));
  });

  it("runs the CLI examples, which find the running app by themselves", async () => {
    // as on a newcomer's machine: no PRETEXT_URL, no DATABASE_URL; the app holds the embedded database
    const env: NodeJS.ProcessEnv = { ...process.env, PRETEXT_HOME: app.home };
    delete env.PRETEXT_URL;
    delete env.DATABASE_URL;
    const lines = shellBlock("Train, queue and workers");
    const trained: number[] = [];
    const queued: number[] = [];
    for (const line of lines) {
      // a worker takes jobs until stopped, and the app's embedded worker already does (worker.test.ts covers workers)
      if (/ worker( |$)/.test(line)) continue;
      // cancel what the examples queued instead of the example's run 42
      const command = line.replace(/ cancel 42\b/, ` cancel ${queued.join(" ")}`);
      const { status, out } = run(command, process.cwd(), env);
      assert.equal(status, 0, `${command}\n${out}`);
      assert.match(out, /working through http:\/\/localhost:3000/, `${command}\n${out}`);
      for (const m of out.matchAll(/logging to http:\/\/localhost:3000\/runs\/(\d+)/g)) trained.push(Number(m[1]));
      for (const m of out.matchAll(/queued run (\d+)|\(runs ([\d, ]+)\)/g)) queued.push(...(m[1] ?? m[2]).split(",").map((id) => Number(id)));
    }
    assert.equal(trained.length, 2);
    assert.ok(queued.length >= 2, `queued ${queued}`);
    for (const id of trained) {
      const run = (await (await app.fetch(`${app.url}/api/v1/runs/${id}`)).json()) as { status: string; metrics: { key: string }[] };
      assert.equal(run.status, "finished");
      assert.ok(run.metrics.some((m) => m.key === "loss"));
    }
    for (const id of queued) {
      const run = (await (await app.fetch(`${app.url}/api/v1/runs/${id}`)).json()) as { status: string };
      assert.equal(run.status, "cancelled", `run ${id}`);
    }
  });
});
